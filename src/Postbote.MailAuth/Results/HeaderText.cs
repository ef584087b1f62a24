using System.Text;

namespace Postbote.MailAuth.Results;

/// <summary>Text from the outside made safe for the header fields we write (Authentication-Results, Received-SPF).</summary>
public static class HeaderText
{
    /// <summary>Printable ASCII only (anything else '?'), at most <paramref name="max"/> characters: no header injection.</summary>
    public static string Printable(string text, int max)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (sb.Length >= max) break;
            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        }
        return sb.ToString();
    }

    /// <summary>The inside of a comment (RFC 5322 §3.2.2): printable, parentheses and backslashes escaped.</summary>
    public static string Comment(string text, int max = 300)
    {
        var printable = Printable(text, max);
        var sb = new StringBuilder(printable.Length);
        foreach (var c in printable)
        {
            if (c is '(' or ')' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
