using System.Security.Cryptography.X509Certificates;

namespace Postbote.TestSupport;

/// <summary>What a <see cref="ScriptedSmtpPeer"/> answers. Every connection plays the same script.</summary>
public sealed class SmtpPeerScript
{
    /// <summary>The greeting line, e.g. "220 ..." or "421 4.3.2 busy".</summary>
    public string Greeting { get; set; } = "220 peer.test ESMTP scripted";

    /// <summary>Speak LMTP: LHLO, and one reply per accepted recipient after the final dot.</summary>
    public bool Lmtp { get; set; }

    /// <summary>EHLO/LHLO keywords (STARTTLS and AUTH are added from <see cref="Certificate"/> and <see cref="Account"/>).</summary>
    public List<string> Extensions { get; set; } = new() { "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE 10485760" };

    /// <summary>Replaces the EHLO/LHLO reply, e.g. "502 5.5.1 EHLO not implemented" to force HELO.</summary>
    public string? EhloReply { get; set; }

    /// <summary>Certificate for STARTTLS (offered when set, unless <see cref="OfferStartTls"/> is false) or implicit TLS.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Announce STARTTLS when a certificate is set.</summary>
    public bool OfferStartTls { get; set; } = true;

    /// <summary>Answer STARTTLS with 220, then send garbage instead of a TLS handshake and close.</summary>
    public bool BreakTls { get; set; }

    /// <summary>TLS from the first byte (port 465 behaviour); needs <see cref="Certificate"/>.</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>AUTH PLAIN and LOGIN are offered and accept this account.</summary>
    public (string User, string Password)? Account { get; set; }

    /// <summary>The mechanisms announced with AUTH when <see cref="Account"/> is set.</summary>
    public string AuthMechanisms { get; set; } = "PLAIN LOGIN";

    /// <summary>Reply to MAIL.</summary>
    public string MailReply { get; set; } = "250 2.1.0 Ok";

    /// <summary>Reply to RCPT by address.</summary>
    public Func<string, string> RcptReply { get; set; } = _ => "250 2.1.5 Ok";

    /// <summary>Reply to DATA.</summary>
    public string DataReply { get; set; } = "354 End data with <CR><LF>.<CR><LF>";

    /// <summary>Reply to the final dot (SMTP), or the default per-recipient reply (LMTP).</summary>
    public string EndOfDataReply { get; set; } = "250 2.0.0 Ok: queued";

    /// <summary>LMTP: the reply after the final dot for each accepted recipient.</summary>
    public Func<string, string>? LmtpReply { get; set; }

    /// <summary>Close the connection after receiving the first line of message content.</summary>
    public bool DropMidData { get; set; }

    /// <summary>Never reply to this verb ("MAIL", "RCPT", "DATA", "." for the end of data, "GREETING"): a slow peer.</summary>
    public string? StallOn { get; set; }
}
