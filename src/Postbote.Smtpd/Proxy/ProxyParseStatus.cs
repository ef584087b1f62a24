namespace Postbote.Smtpd.Proxy;

/// <summary>What <see cref="ProxyHeaderParser"/> made of the bytes seen so far.</summary>
public enum ProxyParseStatus
{
    /// <summary>A valid beginning of a header: read more.</summary>
    Incomplete,
    /// <summary>A whole header.</summary>
    Complete,
    /// <summary>Not a PROXY header, or a broken one, or longer than allowed: close the connection.</summary>
    Malformed,
}
