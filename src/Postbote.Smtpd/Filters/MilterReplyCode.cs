using Postbote.Core.Smtp;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// SMFIR_REPLYCODE (smfi_setreply / smfi_setmlreply): "550 5.7.1 text", or several lines "550-5.7.1 a\r\n550 5.7.1 b".
/// Only 4xx and 5xx replies are taken (as Postfix); the enhanced status must agree with the code's class.
/// </summary>
public static class MilterReplyCode
{
    public static SmtpReply Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        if (lines.Length is 0 or > 100) throw new MilterProtocolException("empty or oversized reply code");
        int code = 0;
        string? status = null;
        var texts = new List<string>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), System.Globalization.NumberStyles.None, null, out int c) || c is < 400 or > 599)
                throw new MilterProtocolException($"reply code '{FilterText.Printable(line)}' is not a 4xx or 5xx SMTP reply");
            if (i == 0) code = c;
            else if (c != code) throw new MilterProtocolException("reply code lines disagree on the code");
            var rest = line.Length > 3 ? line[4..] : "";
            if (line.Length > 3 && line[3] is not (' ' or '-')) throw new MilterProtocolException($"reply code '{FilterText.Printable(line)}' is malformed");
            int space = rest.IndexOf(' ');
            var first = space < 0 ? rest : rest[..space];
            if (IsEnhancedStatus(first, code))
            {
                status ??= first;
                rest = space < 0 ? "" : rest[(space + 1)..];
            }
            texts.Add(FilterText.Printable(rest.Replace("%%", "%")));
        }
        return new SmtpReply(code, status ?? (code >= 500 ? "5.7.1" : "4.7.1"), texts);
    }

    private static bool IsEnhancedStatus(string s, int code)
    {
        var parts = s.Split('.');
        return parts.Length == 3 && parts[0] == (code / 100).ToString(System.Globalization.CultureInfo.InvariantCulture)
            && parts[1].Length is >= 1 and <= 3 && parts[1].All(char.IsAsciiDigit) && parts[2].Length is >= 1 and <= 3 && parts[2].All(char.IsAsciiDigit);
    }
}
