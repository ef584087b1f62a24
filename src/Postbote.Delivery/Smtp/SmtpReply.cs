using System.Text;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// A reply received from a remote SMTP/LMTP server (RFC 5321 §4.2): a three-digit code, the text lines,
/// and the RFC 2034/3463 enhanced status code when the first line carries one.
/// </summary>
public sealed class SmtpReply
{
    /// <summary>Creates a reply from its code and text lines (without the "250-" / "250 " prefixes).</summary>
    public SmtpReply(int code, IReadOnlyList<string> lines)
    {
        if (code is < 200 or > 599)
            throw new ArgumentOutOfRangeException(nameof(code), code, "SMTP reply codes are 2xx to 5xx");
        Code = code;
        Lines = lines.Count == 0 ? new[] { "" } : lines;
        EnhancedStatus = ParseEnhancedStatus(Lines[0], code);
    }

    /// <summary>The three-digit reply code.</summary>
    public int Code { get; }

    /// <summary>The text lines, each without the code and separator.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>"x.y.z" from the first line when present and of the same class as <see cref="Code"/>, else null.</summary>
    public string? EnhancedStatus { get; }

    /// <summary>2xx.</summary>
    public bool IsPositiveCompletion => Code / 100 == 2;

    /// <summary>3xx (354 after DATA, 334 during AUTH).</summary>
    public bool IsIntermediate => Code / 100 == 3;

    /// <summary>4xx: try again later.</summary>
    public bool IsTransientNegative => Code / 100 == 4;

    /// <summary>5xx: do not retry.</summary>
    public bool IsPermanentNegative => Code / 100 == 5;

    /// <summary>
    /// The status for a DSN: the enhanced status when given, else the reply class with <paramref name="fallbackDetail"/>
    /// (e.g. "0.0" gives "4.0.0" for a bare 421).
    /// </summary>
    public string Status(string fallbackDetail = "0.0") => EnhancedStatus ?? $"{Code / 100}.{fallbackDetail}";

    /// <summary>The reply as one line for logs and DSN Diagnostic-Code, e.g. "550 5.1.1 No such user".</summary>
    public override string ToString() => $"{Code} {string.Join(" ", Lines)}".TrimEnd();

    /// <summary>
    /// Parses one reply line (without CRLF): "250-text" (more follow), "250 text" or "250" (last line).
    /// Returns false when the line is not a reply line.
    /// </summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, out int code, out bool isLast, out string text)
    {
        code = 0;
        isLast = false;
        text = "";
        if (line.Length < 3)
            return false;
        for (var i = 0; i < 3; i++)
        {
            if (line[i] is < (byte)'0' or > (byte)'9')
                return false;
            code = code * 10 + (line[i] - '0');
        }
        if (code is < 200 or > 599)
            return false;
        if (line.Length == 3)
        {
            isLast = true;
            return true;
        }
        if (line[3] != (byte)' ' && line[3] != (byte)'-')
            return false;
        isLast = line[3] == (byte)' ';
        text = Encoding.UTF8.GetString(line[4..]);
        return true;
    }

    private static string? ParseEnhancedStatus(string text, int code)
    {
        // RFC 3463: class "." subject "." detail, subject and detail 1 to 3 digits, followed by SP or end.
        var end = text.IndexOf(' ');
        var token = end < 0 ? text : text[..end];
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length != 1 || parts[0][0] - '0' != code / 100)
            return null;
        foreach (var part in parts.AsSpan(1))
        {
            if (part.Length is < 1 or > 3 || !part.All(char.IsAsciiDigit))
                return null;
        }
        return token;
    }
}
