namespace Postbote.Smtpd.Filters;

/// <summary>Text from a filter made safe for a log line or an SMTP reply: control characters become '?', and it is capped.</summary>
internal static class FilterText
{
    public static string Printable(string s, int max = 500)
    {
        var chars = s.Length > max ? s.ToCharArray(0, max) : s.ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (chars[i] < ' ' || chars[i] == 0x7F) chars[i] = '?';
        return new string(chars);
    }
}
