namespace Postbote.Directory;

/// <summary>One final destination of a recipient after alias expansion.</summary>
public sealed record ResolvedMailbox(string Address, MailboxKind Kind);
