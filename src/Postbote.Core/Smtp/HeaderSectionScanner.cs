namespace Postbote.Core.Smtp;

/// <summary>
/// Watches message bytes as they stream past and keeps what the accept path needs from the header section
/// (RFC 5322 §2.1): the number of Received: fields (loop detection, RFC 5321 §6.3), and a copy of the header
/// bytes up to a cap, for the checks that read single fields (From:, Message-ID:, Date:).
/// </summary>
public sealed class HeaderSectionScanner
{
    private readonly int _maxHeaderBytes;
    private readonly System.IO.MemoryStream _headers = new();
    private bool _atLineStart = true;
    private int _matched; // how many bytes of "received:" matched at the current line start
    private byte _last;

    public HeaderSectionScanner(int maxHeaderBytes = 256 * 1024) => _maxHeaderBytes = maxHeaderBytes;

    public int ReceivedCount { get; private set; }
    public bool Complete { get; private set; }
    /// <summary>The header section as received (up to the cap), CRLF line ends.</summary>
    public ReadOnlyMemory<byte> HeaderBytes => _headers.GetBuffer().AsMemory(0, (int)_headers.Length);

    private static ReadOnlySpan<byte> Received => "received:"u8;

    public void Scan(ReadOnlySpan<byte> bytes)
    {
        if (Complete) return;
        int i = 0;
        for (; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (_atLineStart)
            {
                if (b == (byte)'\r') { _last = b; continue; }
                if (b == (byte)'\n' && (_last == (byte)'\r' || _last == (byte)'\n'))
                {
                    // empty line: end of the header section
                    Complete = true;
                    i++;
                    break;
                }
                _atLineStart = false;
                _matched = 0;
            }
            if (_matched >= 0 && _matched < Received.Length)
            {
                if ((b | 0x20) == Received[_matched]) { if (++_matched == Received.Length) ReceivedCount++; }
                else _matched = -1;
            }
            if (b == (byte)'\n') _atLineStart = true;
            _last = b;
        }
        int keep = Math.Min(i, _maxHeaderBytes - (int)_headers.Length);
        if (keep > 0) _headers.Write(bytes[..keep]);
    }

    /// <summary>
    /// The unfolded value of the first header field called <paramref name="name"/>, or null. Good enough for
    /// the checks of the accept path; MIME decoding is left to MimeKit where it matters.
    /// </summary>
    public string? GetField(string name)
    {
        var text = System.Text.Encoding.UTF8.GetString(HeaderBytes.Span);
        int pos = 0;
        while (pos < text.Length)
        {
            int end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            var line = text.AsSpan(pos, end - pos).TrimEnd('\r');
            if (line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                var sb = new System.Text.StringBuilder(line[(name.Length + 1)..].ToString());
                int next = end + 1;
                while (next < text.Length && (text[next] == ' ' || text[next] == '\t'))
                {
                    int e2 = text.IndexOf('\n', next);
                    if (e2 < 0) e2 = text.Length;
                    sb.Append(' ').Append(text.AsSpan(next, e2 - next).Trim());
                    next = e2 + 1;
                }
                return sb.ToString().Trim();
            }
            pos = end + 1;
        }
        return null;
    }
}
