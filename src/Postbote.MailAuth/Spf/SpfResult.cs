namespace Postbote.MailAuth.Spf;

/// <summary>The result of an SPF check (RFC 7208 §2.6), as written in Received-SPF and Authentication-Results.</summary>
public enum SpfResult
{
    /// <summary>No SPF record for the domain, or no checkable domain (RFC 7208 §2.6.1).</summary>
    None,
    /// <summary>The record explicitly states nothing about the client (§2.6.2).</summary>
    Neutral,
    /// <summary>The client is authorised (§2.6.3).</summary>
    Pass,
    /// <summary>The client is explicitly not authorised (§2.6.4).</summary>
    Fail,
    /// <summary>The client is probably not authorised (§2.6.5).</summary>
    SoftFail,
    /// <summary>A transient (DNS) error; a later check may succeed (§2.6.6).</summary>
    TempError,
    /// <summary>The record could not be interpreted (§2.6.7).</summary>
    PermError,
}
