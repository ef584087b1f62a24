namespace Postbote.MailAuth.Dkim;

/// <summary>The two canonicalisation algorithms of RFC 6376 §3.4, as named in the c= tag.</summary>
public enum DkimCanonicalization
{
    Simple,
    Relaxed,
}
