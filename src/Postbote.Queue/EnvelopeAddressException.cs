namespace Postbote.Queue;

/// <summary>
/// An envelope refused by <see cref="EnvelopeAddressGuard"/>. An <see cref="IOException"/>, so that every caller of
/// <see cref="Spool.CommitAsync"/> already treats it as "not queued" (SMTP: 451, never a 250 nor a crashed session).
/// </summary>
public sealed class EnvelopeAddressException(string message) : IOException(message);
