namespace Postbote.Core.Envelope;

/// <summary>MAIL RET= of RFC 3461 §4.3: what a DSN carries of the original message.</summary>
public enum DsnReturn
{
    /// <summary>Not given: the server's default (headers only).</summary>
    Unspecified,
    Full,
    Headers,
}
