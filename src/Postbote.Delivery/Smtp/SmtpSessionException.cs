namespace Postbote.Delivery.Smtp;

/// <summary>
/// A failure of the whole SMTP/LMTP session (connect, greeting, EHLO, TLS, AUTH, timeout, lost connection):
/// the caller should try the next host. Raised by <see cref="SmtpClientConnection.OpenAsync"/>; during a
/// transaction it is turned into <see cref="Postbote.Core.Delivery.FailureScope.Session"/> results.
/// </summary>
public sealed class SmtpSessionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="isPermanent">True for a 5xx that means "never here" (e.g. a 554 greeting).</param>
    /// <param name="status">RFC 3463 status, e.g. "4.4.1" (connect failed), "4.4.2" (lost connection, timeout).</param>
    /// <param name="diagnostic">Text for the log and the DSN.</param>
    /// <param name="reply">The remote reply that caused it, if any.</param>
    /// <param name="inner">The underlying I/O error, if any.</param>
    public SmtpSessionException(bool isPermanent, string status, string diagnostic, SmtpReply? reply = null, Exception? inner = null)
        : base(diagnostic, inner)
    {
        IsPermanent = isPermanent;
        Status = status;
        Reply = reply;
    }

    /// <summary>True for a permanent (5xx) session failure.</summary>
    public bool IsPermanent { get; }

    /// <summary>RFC 3463 status.</summary>
    public string Status { get; }

    /// <summary>The remote reply that caused the failure, if any.</summary>
    public SmtpReply? Reply { get; }

    /// <summary>For a TLS failure, the metrics outcome: "not_offered" (required, no STARTTLS), "not_verified" (certificate), "failed" (handshake); else null.</summary>
    public string? TlsFailure { get; init; }
}
