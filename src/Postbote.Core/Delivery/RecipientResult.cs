namespace Postbote.Core.Delivery;

/// <summary>
/// The outcome for one recipient of one delivery attempt, with the fields a DSN (RFC 3464 §2.3) needs.
/// </summary>
/// <param name="Recipient">The recipient address as in the envelope.</param>
/// <param name="Action">Delivered, relayed, delayed (temporary) or failed (permanent).</param>
/// <param name="Status">RFC 3463 status, e.g. "2.0.0", "4.4.1", "5.1.1".</param>
/// <param name="Diagnostic">The remote reply or a local reason, for the log and the DSN Diagnostic-Code.</param>
/// <param name="RemoteMta">The host that gave the answer, e.g. "mx.example.net[192.0.2.7]:25", or null.</param>
/// <param name="Scope">What the failure applies to; <see cref="FailureScope.None"/> on success.</param>
public sealed record RecipientResult(
    string Recipient,
    DeliveryAction Action,
    string Status,
    string Diagnostic,
    string? RemoteMta,
    FailureScope Scope)
{
    /// <summary>How the session that gave this result was secured (outbound SMTP/LMTP), or null (local delivery, no session).</summary>
    public TransportSecurity? Tls { get; init; }

    public bool IsSuccess => Action is DeliveryAction.Delivered or DeliveryAction.Relayed or DeliveryAction.Expanded;
    public bool IsPermanent => Action == DeliveryAction.Failed;
    public bool IsTemporary => Action == DeliveryAction.Delayed;

    public static RecipientResult Success(string rcpt, DeliveryAction action, string diagnostic, string? remoteMta)
        => new(rcpt, action, "2.0.0", diagnostic, remoteMta, FailureScope.None);

    public static RecipientResult Temporary(string rcpt, string status, string diagnostic, string? remoteMta, FailureScope scope)
        => new(rcpt, DeliveryAction.Delayed, status, diagnostic, remoteMta, scope);

    public static RecipientResult Permanent(string rcpt, string status, string diagnostic, string? remoteMta, FailureScope scope)
        => new(rcpt, DeliveryAction.Failed, status, diagnostic, remoteMta, scope);
}
