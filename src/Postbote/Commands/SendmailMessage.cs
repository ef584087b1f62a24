using System.Globalization;
using System.Text;
using MimeKit;

namespace Postbote.Commands;

/// <summary>
/// Prepares a message read by `postbote sendmail`: line ends become CRLF (PHP's mail() and many scripts write bare
/// LF), a lone "." ends the input unless -i, recipients are taken from To/Cc/Bcc with -t, Bcc is removed, and a
/// From, Date and Message-ID are added when missing (as Postfix's cleanup does for local submissions).
/// </summary>
public sealed class SendmailMessage
{
    private SendmailMessage(List<string> headerLines, byte[] body, List<string> headerRecipients)
    {
        HeaderLines = headerLines;
        Body = body;
        HeaderRecipients = headerRecipients;
    }

    /// <summary>Header fields, each a complete (possibly folded) field ending in CRLF.</summary>
    public List<string> HeaderLines { get; }
    /// <summary>The body with CRLF line ends (after the blank line).</summary>
    public byte[] Body { get; }
    /// <summary>Addresses from To, Cc and Bcc (filled with -t only).</summary>
    public List<string> HeaderRecipients { get; }

    public static SendmailMessage Parse(byte[] input, bool ignoreDots, bool extractRecipients)
    {
        var crlf = ToCrlf(input, ignoreDots);
        int split = IndexOf(crlf, "\r\n\r\n"u8);
        int headerEnd = split < 0 ? crlf.Length : split + 2;
        // A message that starts with a body line (no header at all) keeps it as body.
        bool noHeader = crlf.Length >= 2 && crlf[0] == '\r' && crlf[1] == '\n';
        if (noHeader) headerEnd = 0;
        var fields = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(crlf, 0, headerEnd).Split("\r\n"))
        {
            if (line.Length == 0) continue;
            if ((line[0] == ' ' || line[0] == '\t') && fields.Count > 0) fields[^1] += line + "\r\n";
            else if (line.Contains(':')) fields.Add(line + "\r\n");
            else { headerEnd = 0; fields.Clear(); break; }
        }
        int bodyStart = noHeader ? 2 : headerEnd == 0 ? 0 : Math.Min(crlf.Length, split < 0 ? crlf.Length : split + 4);
        var recipients = new List<string>();
        if (extractRecipients)
        {
            foreach (var f in fields)
            {
                string name = f[..f.IndexOf(':')].Trim();
                if (!name.Equals("To", StringComparison.OrdinalIgnoreCase) && !name.Equals("Cc", StringComparison.OrdinalIgnoreCase)
                    && !name.Equals("Bcc", StringComparison.OrdinalIgnoreCase)) continue;
                string value = f[(f.IndexOf(':') + 1)..].Replace("\r\n", "");
                if (string.IsNullOrWhiteSpace(value)) continue;
                if (!InternetAddressList.TryParse(value, out var list)) throw new FormatException($"{name}: cannot parse the address list '{value.Trim()}'");
                recipients.AddRange(list.Mailboxes.Select(m => m.Address));
            }
            fields.RemoveAll(f => f.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || f.StartsWith("Bcc :", StringComparison.OrdinalIgnoreCase));
        }
        return new SendmailMessage(fields, crlf[bodyStart..], recipients);
    }

    public bool HasHeader(string name) => HeaderLines.Any(f => f.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>The bytes to queue, with the missing From, Date and Message-ID added.</summary>
    public byte[] ToBytes(string fromAddress, string? fullName, string hostname, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        foreach (var f in HeaderLines) sb.Append(f);
        if (!HasHeader("From"))
            sb.Append("From: ").Append(fullName is null ? fromAddress : new MailboxAddress(fullName, fromAddress).ToString(true)).Append("\r\n");
        if (!HasHeader("Date"))
            sb.Append("Date: ").Append(now.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture))
              .Append(now.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "")).Append("\r\n");
        if (!HasHeader("Message-ID"))
            sb.Append("Message-ID: <").Append(now.ToUnixTimeMilliseconds()).Append('.').Append(Guid.NewGuid().ToString("N")[..12])
              .Append("@").Append(hostname).Append(">\r\n");
        sb.Append("\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        var all = new byte[head.Length + Body.Length];
        head.CopyTo(all, 0);
        Body.CopyTo(all, head.Length);
        return all;
    }

    /// <summary>Bare LF (and CR LF) become CRLF; without -i, a line holding only "." ends the message.</summary>
    public static byte[] ToCrlf(byte[] input, bool ignoreDots)
    {
        var output = new MemoryStream(input.Length + input.Length / 40 + 2);
        int lineStart = 0;
        for (int i = 0; i <= input.Length; i++)
        {
            if (i < input.Length && input[i] != '\n') continue;
            int end = i;
            if (end > lineStart && input[end - 1] == '\r') end--;
            var line = input.AsSpan(lineStart, end - lineStart);
            if (i == input.Length && line.Length == 0) break;
            if (!ignoreDots && line.Length == 1 && line[0] == '.') break;
            output.Write(line);
            output.Write("\r\n"u8);
            lineStart = i + 1;
        }
        return output.ToArray();
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
