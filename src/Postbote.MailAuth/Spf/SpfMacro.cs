using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.MailAuth.Spf;

/// <summary>
/// SPF macro strings (RFC 7208 §7): syntax checking and expansion. Pure: every value comes from
/// <see cref="SpfMacroContext"/>; the evaluator looks up %{p} first when <see cref="UsesValidatedName"/> says so.
/// </summary>
public static class SpfMacro
{
    private const string Delimiters = ".-+,/_=";

    /// <summary>True when <paramref name="macroString"/> is well formed (§7.1); <paramref name="explanation"/> allows c, r and t.</summary>
    public static bool IsValid(string macroString, bool explanation = false) => Expand(macroString, null, explanation, out _);

    /// <summary>True when expanding <paramref name="macroString"/> needs the client's validated name (%{p}).</summary>
    public static bool UsesValidatedName(string macroString)
        => macroString.Contains("%{p", StringComparison.OrdinalIgnoreCase);

    /// <summary>Expands <paramref name="macroString"/>; false on a syntax error (a permerror for the caller).</summary>
    public static bool TryExpand(string macroString, SpfMacroContext context, bool explanation, out string expanded)
        => Expand(macroString, context, explanation, out expanded);

    /// <summary>
    /// Expands a domain-spec and, when longer than 253 characters, drops leading labels until it fits (§7.3).
    /// </summary>
    public static bool TryExpandDomain(string domainSpec, SpfMacroContext context, out string domain)
    {
        if (!Expand(domainSpec, context, false, out domain)) return false;
        while (domain.Length > 253 && domain.IndexOf('.') is var dot and >= 0) domain = domain[(dot + 1)..];
        return true;
    }

    private static bool Expand(string s, SpfMacroContext? context, bool explanation, out string expanded)
    {
        var sb = new StringBuilder(s.Length + 16);
        expanded = "";
        for (var i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            if (ch != '%')
            {
                if (ch < 0x21 && !(explanation && ch == ' ') || ch > 0x7e) return false;
                sb.Append(ch);
                continue;
            }
            if (++i >= s.Length) return false;
            switch (s[i])
            {
                case '%': sb.Append('%'); continue;
                case '_': sb.Append(' '); continue;
                case '-': sb.Append("%20"); continue;
                case '{': break;
                default: return false;
            }
            var close = s.IndexOf('}', i);
            if (close < 0 || close == i + 1) return false;
            if (!ExpandOne(s.AsSpan(i + 1, close - i - 1), context, explanation, sb)) return false;
            i = close;
        }
        expanded = sb.ToString();
        return true;
    }

    // macro-letter *DIGIT [ "r" ] *delimiter
    private static bool ExpandOne(ReadOnlySpan<char> body, SpfMacroContext? context, bool explanation, StringBuilder sb)
    {
        var letter = body[0];
        var lower = char.ToLowerInvariant(letter);
        if ("slodiphv".IndexOf(lower) < 0 && !(explanation && "crt".IndexOf(lower) >= 0)) return false;
        var p = 1;
        var digits = 0;
        var hasDigits = false;
        while (p < body.Length && char.IsAsciiDigit(body[p]))
        {
            digits = Math.Min(digits * 10 + (body[p] - '0'), 1000);
            hasDigits = true;
            p++;
        }
        if (hasDigits && digits == 0) return false;
        var reverse = p < body.Length && (body[p] == 'r' || body[p] == 'R');
        if (reverse) p++;
        var delimiters = body[p..];
        foreach (var d in delimiters)
            if (Delimiters.IndexOf(d) < 0) return false;
        if (context is null) return true;

        var value = Value(lower, context);
        if (hasDigits || reverse || delimiters.Length > 0)
            value = Transform(value, hasDigits ? digits : 0, reverse, delimiters.Length > 0 ? delimiters.ToString() : ".");
        sb.Append(char.IsUpper(letter) ? UrlEscape(value) : value);
        return true;
    }

    private static string Value(char letter, SpfMacroContext c) => letter switch
    {
        's' => c.Sender,
        'l' => c.LocalPart,
        'o' => c.SenderDomain,
        'd' => c.Domain,
        'i' => DottedAddress(c.Client),
        'p' => c.ValidatedName ?? "unknown",
        'v' => c.Client.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
        'h' => c.Helo,
        'c' => c.Client.ToString(),
        'r' => c.Receiver,
        't' => c.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };

    /// <summary>%{i}: dotted-quad for IPv4, dot-separated nibbles for IPv6 (§7.3).</summary>
    public static string DottedAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        var sb = new StringBuilder(63);
        foreach (var b in bytes)
        {
            if (sb.Length > 0) sb.Append('.');
            sb.Append("0123456789abcdef"[b >> 4]).Append('.').Append("0123456789abcdef"[b & 0xf]);
        }
        return sb.ToString();
    }

    // Split on the delimiters, optionally reverse, keep the rightmost N parts, join with "." (§7.3).
    private static string Transform(string value, int keep, bool reverse, string delimiters)
    {
        var parts = value.Split(delimiters.ToCharArray());
        if (reverse) Array.Reverse(parts);
        var start = keep > 0 && keep < parts.Length ? parts.Length - keep : 0;
        return string.Join('.', parts, start, parts.Length - start);
    }

    private static string UrlEscape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~') sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
