namespace Postbote.Admin;

/// <summary>The admin endpoint refused or failed a request; the message is fit for the operator.</summary>
public sealed class AdminException(string message, Exception? inner = null) : Exception(message, inner);
