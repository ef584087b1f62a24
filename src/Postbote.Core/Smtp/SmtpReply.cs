using System.Text;

namespace Postbote.Core.Smtp;

/// <summary>
/// An SMTP reply as a value: a three-digit code (RFC 5321 §4.2), an optional RFC 3463 enhanced
/// status code, and one or more text lines. Built in one place (<see cref="SmtpReplies"/>), never thrown.
/// </summary>
public sealed record SmtpReply(int Code, string? EnhancedStatus, IReadOnlyList<string> Lines)
{
    public SmtpReply(int code, string? enhancedStatus, string text) : this(code, enhancedStatus, new[] { text }) { }

    public bool IsPositive => Code is >= 200 and < 400;
    public bool IsTransientFailure => Code is >= 400 and < 500;
    public bool IsPermanentFailure => Code >= 500;

    /// <summary>Text of the reply with the enhanced status code, lines joined by a space.</summary>
    public string Text => string.Join(" ", Lines);

    /// <summary>Serialises the reply in the multiline form of RFC 5321 §4.2.1 ("250-..." then "250 ...").</summary>
    public byte[] ToBytes() => _bytes ??= Serialize();

    private byte[]? _bytes;

    private byte[] Serialize()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Lines.Count; i++)
        {
            sb.Append(Code).Append(i == Lines.Count - 1 ? ' ' : '-');
            if (EnhancedStatus is not null) sb.Append(EnhancedStatus).Append(' ');
            sb.Append(Lines[i]).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public override string ToString()
        => EnhancedStatus is null ? $"{Code} {Text}" : $"{Code} {EnhancedStatus} {Text}";
}
