namespace Postbote.Core.Smtp;

/// <summary>The command verbs Postbote knows (RFC 5321 §4.1.1 and the ESMTP extensions it offers).</summary>
public enum SmtpVerb
{
    Unknown,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Auth,
    Etrn,
    /// <summary>"GET", "POST", "CONNECT", "HEAD", "PUT": an HTTP client talking to a mail port (cross-protocol attack).</summary>
    Http,
    /// <summary>LHLO, only meaningful to an LMTP server; refused by SMTP.</summary>
    Lhlo,
}
