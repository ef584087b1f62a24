using System.Net;
using System.Net.Sockets;

namespace Postbote.Core.Addressing;

/// <summary>
/// Recursive-descent parser for the RFC 5321 §4.1.2 path grammar, with the RFC 6531 extensions
/// (UTF-8 in local parts and domains) when <c>allowUtf8</c> is set. Methods are named after the ABNF.
/// </summary>
public static class MailboxParser
{
    /// <summary>Maximum lengths of RFC 5321 §4.5.3.1.</summary>
    public const int MaxLocalPart = 64, MaxDomain = 255, MaxPath = 256;

    /// <summary>
    /// Parses a path at the start of <paramref name="text"/>: "&lt;mailbox&gt;", "&lt;@a,@b:mailbox&gt;" (the
    /// source route is accepted and ignored, RFC 5321 §4.1.1.3), "&lt;&gt;" when <paramref name="allowNull"/>,
    /// or — as Postfix does by default and the walk-through's "MAIL FROM: test@domain.de" needs — a bare
    /// mailbox without angle brackets. <paramref name="rest"/> is what follows the path.
    /// </summary>
    public static PathParseResult TryParsePath(ReadOnlySpan<char> text, bool allowNull, bool allowUtf8, out Mailbox? mailbox, out ReadOnlySpan<char> rest)
    {
        mailbox = null;
        rest = default;
        text = text.TrimStart(' ');
        if (text.IsEmpty) return PathParseResult.Invalid;
        if (text[0] != '<')
        {
            int end = text.IndexOf(' ');
            var bare = end < 0 ? text : text[..end];
            rest = end < 0 ? default : text[end..];
            if (bare.Length > MaxPath) return PathParseResult.TooLong;
            return TryParseMailbox(bare, allowUtf8, out mailbox) ? PathParseResult.Ok : PathParseResult.Invalid;
        }

        int close = FindClosingBracket(text);
        if (close < 0) return PathParseResult.Invalid;
        var inner = text[1..close];
        rest = text[(close + 1)..];
        if (!rest.IsEmpty && rest[0] != ' ') return PathParseResult.Invalid;
        if (inner.IsEmpty) return allowNull ? PathParseResult.Null : PathParseResult.Invalid;
        if (inner.Length + 2 > MaxPath) return PathParseResult.TooLong; // the 256 octets include the brackets
        if (inner[0] == '@')
        {
            // A-d-l = At-domain *( "," At-domain ) ":"   At-domain = "@" Domain
            int colon = inner.IndexOf(':');
            if (colon < 0) return PathParseResult.Invalid;
            foreach (var range in inner[..colon].Split(','))
            {
                var atDomain = inner[..colon][range];
                if (atDomain.Length < 2 || atDomain[0] != '@' || !IsDomain(atDomain[1..], allowUtf8)) return PathParseResult.Invalid;
            }
            inner = inner[(colon + 1)..];
        }
        return TryParseMailbox(inner, allowUtf8, out mailbox) ? PathParseResult.Ok : PathParseResult.Invalid;
    }

    private static int FindClosingBracket(ReadOnlySpan<char> text)
    {
        bool quoted = false;
        for (int i = 1; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == '>') return i;
        }
        return -1;
    }

    /// <summary>Mailbox = Local-part "@" ( Domain / address-literal ).</summary>
    public static bool TryParseMailbox(ReadOnlySpan<char> text, bool allowUtf8, out Mailbox? mailbox)
    {
        mailbox = null;
        int at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1) return false;
        var local = text[..at];
        var domain = text[(at + 1)..];
        string? localPart = ParseLocalPart(local, allowUtf8);
        if (localPart is null || localPart.Length > MaxLocalPart) return false;
        if (domain.Length > MaxDomain) return false;
        if (domain[0] == '[')
        {
            if (!IsAddressLiteral(domain)) return false;
        }
        else if (!IsDomain(domain, allowUtf8)) return false;
        mailbox = new Mailbox(localPart, domain.ToString());
        return true;
    }

    /// <summary>Local-part = Dot-string / Quoted-string; returns the unquoted value or null.</summary>
    private static string? ParseLocalPart(ReadOnlySpan<char> text, bool allowUtf8)
    {
        if (text.IsEmpty) return null;
        if (text[0] == '"') return ParseQuotedString(text, allowUtf8);
        return IsDotString(text, allowUtf8) ? text.ToString() : null;
    }

    private static string? ParseQuotedString(ReadOnlySpan<char> text, bool allowUtf8)
    {
        if (text.Length < 2 || text[^1] != '"') return null;
        var sb = new System.Text.StringBuilder(text.Length);
        for (int i = 1; i < text.Length - 1; i++)
        {
            char c = text[i];
            if (c == '\\')
            {
                // quoted-pairSMTP = %d92 %d32-126
                if (i + 1 >= text.Length - 1) return null;
                char n = text[++i];
                if (n < 32 || n > 126) return null;
                sb.Append(n);
            }
            else if (c == '"') return null;
            else if ((c >= 32 && c <= 126) || (allowUtf8 && c > 127 && !char.IsControl(c))) sb.Append(c); // qtextSMTP
            else return null;
        }
        return sb.ToString();
    }

    public static bool IsDotString(ReadOnlySpan<char> text) => IsDotString(text, allowUtf8: true);

    /// <summary>Dot-string = Atom *("." Atom).</summary>
    public static bool IsDotString(ReadOnlySpan<char> text, bool allowUtf8)
    {
        if (text.IsEmpty || text[0] == '.' || text[^1] == '.') return false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '.')
            {
                if (text[i - 1] == '.') return false;
            }
            else if (!IsAtext(c, allowUtf8)) return false;
        }
        return true;
    }

    private static bool IsAtext(char c, bool allowUtf8) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        "!#$%&'*+-/=?^_`{|}~".Contains(c) || (allowUtf8 && c > 127 && !char.IsControl(c) && !char.IsWhiteSpace(c));

    /// <summary>Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (or a U-label with SMTPUTF8).</summary>
    public static bool IsDomain(ReadOnlySpan<char> text, bool allowUtf8)
    {
        if (text.IsEmpty || text.Length > MaxDomain) return false;
        if (text[^1] == '.') return false;
        foreach (var range in text.Split('.'))
        {
            var label = text[range];
            if (label.IsEmpty || label.Length > 63) return false;
            if (label[0] == '-' || label[^1] == '-') return false;
            foreach (char c in label)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || (allowUtf8 && c > 127 && char.IsLetterOrDigit(c));
                if (!ok) return false;
            }
        }
        if (allowUtf8 && !System.Text.Ascii.IsValid(text))
        {
            try { _ = new System.Globalization.IdnMapping { UseStd3AsciiRules = true }.GetAscii(text.ToString()); }
            catch (ArgumentException) { return false; }
        }
        return true;
    }

    /// <summary>address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]".</summary>
    public static bool IsAddressLiteral(ReadOnlySpan<char> text)
    {
        if (text.Length < 3 || text[0] != '[' || text[^1] != ']') return false;
        var inner = text[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            return IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && !inner[5..].Contains('%');
        // IPv4-address-literal = Snum 3("." Snum): exactly four dotted decimals.
        int dots = 0;
        foreach (char c in inner)
        {
            if (c == '.') dots++;
            else if (c < '0' || c > '9') return false;
        }
        return dots == 3 && IPAddress.TryParse(inner, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork;
    }
}
