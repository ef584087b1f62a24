namespace Postbote.MailAuth.Results;

/// <summary>
/// One resinfo of an Authentication-Results field (RFC 8601 §2.2): method=result, an optional comment, and properties
/// such as smtp.mailfrom or header.d. SPF, DKIM and DMARC add theirs; other checks (ARC, RFC 8617 §4.1) add one more.
/// </summary>
public sealed record AuthenticationMethodResult(string Method, string Result, string? Comment = null,
    params IReadOnlyList<KeyValuePair<string, string>> Properties)
{
    public static KeyValuePair<string, string> Property(string name, string value) => new(name, value);
}
