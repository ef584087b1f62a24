using System.Text;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Results;

/// <summary>
/// The Authentication-Results header field (RFC 8601): built with our host name as authserv-id, one resinfo per line,
/// and found in a received header section when it claims our authserv-id, so that a forged one is omitted at delivery
/// (§5: such fields must not survive; the stored file is never rewritten, the ranges are skipped instead).
/// </summary>
public static class AuthenticationResultsField
{
    private const string Name = "Authentication-Results";

    /// <summary>The field, folded one resinfo a line and CRLF-terminated; "none" when there is no result (§2.2).</summary>
    public static string Build(string authservId, IReadOnlyList<AuthenticationMethodResult> results)
    {
        var sb = new StringBuilder(128 + 96 * results.Count).Append(Name).Append(": ").Append(authservId);
        if (results.Count == 0) return sb.Append("; none\r\n").ToString();
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            sb.Append(";\r\n\t").Append(r.Method).Append('=').Append(r.Result);
            if (!string.IsNullOrEmpty(r.Comment)) sb.Append(" (").Append(HeaderText.Comment(r.Comment)).Append(')');
            foreach (var (name, value) in r.Properties) sb.Append(' ').Append(name).Append('=').Append(Value(value));
        }
        return sb.Append("\r\n").ToString();
    }

    /// <summary>
    /// The byte ranges of the Authentication-Results fields in <paramref name="headerSection"/> whose authserv-id is
    /// <paramref name="authservId"/> (compared case-insensitively, §2.5), each with its CRLF and continuation lines.
    /// </summary>
    public static List<Range> FindClaiming(ReadOnlySpan<byte> headerSection, string authservId)
    {
        var found = new List<Range>();
        foreach (var field in DkimHeaderFields.Split(headerSection))
        {
            var bytes = headerSection[field];
            if (!Ascii.EqualsIgnoreCase(DkimHeaderCanonicalizer.NameOf(bytes), "authentication-results"u8)) continue;
            var value = Encoding.UTF8.GetString(bytes[(bytes.IndexOf((byte)':') + 1)..]);
            if (string.Equals(AuthservIdOf(value), authservId, StringComparison.OrdinalIgnoreCase)) found.Add(field);
        }
        return found;
    }

    /// <summary>The authserv-id of a field value: the first token after any comments and white space (§2.2).</summary>
    public static string AuthservIdOf(string value)
    {
        int i = SkipCfws(value, 0);
        int start = i;
        while (i < value.Length && value[i] is not (';' or ' ' or '\t' or '\r' or '\n' or '(')) i++;
        return value[start..i];
    }

    private static int SkipCfws(string s, int i)
    {
        int depth = 0;
        for (int guard = 0; i < s.Length && guard < s.Length; guard++)
        {
            char c = s[i];
            if (depth > 0)
            {
                if (c == '\\') i++;
                else if (c == '(') depth++;
                else if (c == ')') depth--;
                i++;
            }
            else if (c == '(') { depth = 1; i++; }
            else if (c is ' ' or '\t' or '\r' or '\n') i++;
            else break;
        }
        return i;
    }

    // pvalue (§2.2): a token, an addr-spec or a domain as they are; anything else a quoted-string.
    private static string Value(string value)
    {
        value = HeaderText.Printable(value, 320);
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.@".Contains(c))) return value;
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
