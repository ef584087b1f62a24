namespace Postbote.Delivery.Tls;

/// <summary>
/// The match names of a verify policy (Postfix's match= attribute) and RFC 6125 name matching against a
/// certificate's DNS names.
/// </summary>
public static class TlsMatchNames
{
    /// <summary>The MX host name the client connects to.</summary>
    public const string Hostname = "hostname";
    /// <summary>The recipient domain (the next-hop destination).</summary>
    public const string Nexthop = "nexthop";
    /// <summary>Any subdomain of the recipient domain.</summary>
    public const string DotNexthop = "dot-nexthop";

    /// <summary>The default for verify, as Postfix's smtp_tls_verify_cert_match: the MX host name.</summary>
    public static readonly IReadOnlyList<string> Default = [Hostname];

    /// <summary>True for a keyword, a host name or a .parent-domain.</summary>
    public static bool IsValid(string? match)
    {
        if (string.IsNullOrWhiteSpace(match)) return false;
        var m = match.Trim();
        if (m is Hostname or Nexthop or DotNexthop) return true;
        return Core.Addressing.MailboxParser.IsDomain(m.StartsWith('.') ? m[1..] : m, allowUtf8: false);
    }

    /// <summary>
    /// The concrete patterns for one connection: keywords replaced by <paramref name="mxHost"/> and
    /// <paramref name="nexthop"/>; a pattern starting with a dot stands for any subdomain.
    /// </summary>
    public static string[] Resolve(IReadOnlyList<string> match, string mxHost, string nexthop)
    {
        var patterns = new string[match.Count];
        for (var i = 0; i < match.Count; i++)
        {
            patterns[i] = match[i].Trim() switch
            {
                Hostname => mxHost.TrimEnd('.'),
                Nexthop => nexthop,
                DotNexthop => "." + nexthop,
                var literal => literal,
            };
        }
        return patterns;
    }

    /// <summary>
    /// Whether a certificate DNS name (possibly a left-most wildcard, RFC 6125 §6.4.3) satisfies
    /// <paramref name="pattern"/>: a host name (exact, case-insensitive) or ".parent" (any name below parent).
    /// </summary>
    public static bool Matches(string certificateName, string pattern)
    {
        var name = certificateName.TrimEnd('.');
        if (pattern.StartsWith('.'))
        {
            // "*.a.example" names hosts one label below a.example: all below .example and below .a.example.
            var below = name.StartsWith("*.", StringComparison.Ordinal) ? name[1..] : name;
            return below.EndsWith(pattern, StringComparison.OrdinalIgnoreCase) && below.Length > pattern.Length
                || name.StartsWith("*.", StringComparison.Ordinal) && below.Equals(pattern, StringComparison.OrdinalIgnoreCase);
        }
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = pattern.IndexOf('.');
            return dot > 0 && pattern.AsSpan(dot).Equals(name.AsSpan(1), StringComparison.OrdinalIgnoreCase);
        }
        return name.Equals(pattern, StringComparison.OrdinalIgnoreCase);
    }
}
