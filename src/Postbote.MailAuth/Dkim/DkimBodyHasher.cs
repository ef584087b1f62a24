using System.Security.Cryptography;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// The body hash of RFC 6376 §3.7 (bh=), computed as the body streams past in chunks cut anywhere: "simple" or
/// "relaxed" body canonicalisation (§3.4.3, §3.4.4) applied on the fly, SHA-256 over the result, and an optional
/// body length limit (l=, §3.5) that stops hashing after that many canonical octets. Trailing empty lines are
/// held back as a count until a line with content shows they were not trailing, so the body is never buffered;
/// a CR at the end of one chunk is paired with the LF at the start of the next.
/// </summary>
public sealed class DkimBodyHasher : IDisposable
{
    private const int BufferSize = 4096;
    private readonly DkimCanonicalization _mode;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly long _limit;
    private int _used;
    private long _emptyLines;
    private bool _pendingCr, _pendingSpace, _lineHasContent, _finished;
    private byte[]? _result;

    /// <param name="mode">The body canonicalisation.</param>
    /// <param name="limit">The l= count of canonical octets to hash, or -1 for the whole body.</param>
    public DkimBodyHasher(DkimCanonicalization mode, long limit = -1)
    {
        _mode = mode;
        _limit = limit;
    }

    /// <summary>Canonical octets produced so far (all of them, also those beyond an l= limit).</summary>
    public long CanonicalLength { get; private set; }

    /// <summary>Feeds the next piece of the body (the octets after the empty line that ends the header section).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_finished) throw new InvalidOperationException("the body hash is already finished");
        ReadOnlySpan<byte> stops = _mode == DkimCanonicalization.Relaxed ? " \t\r"u8 : "\r"u8;
        while (!bytes.IsEmpty)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (bytes[0] == (byte)'\n')
                {
                    EndLine();
                    bytes = bytes[1..];
                    continue;
                }
                Content("\r"u8); // a CR not followed by LF is an ordinary octet
            }
            int stop = bytes.IndexOfAny(stops);
            if (stop < 0)
            {
                Content(bytes);
                return;
            }
            if (stop > 0) Content(bytes[..stop]);
            if (bytes[stop] == (byte)'\r') _pendingCr = true;
            else _pendingSpace = true; // relaxed: a run of SP/HTAB becomes one SP, written only if content follows
            bytes = bytes[(stop + 1)..];
        }
    }

    /// <summary>Ends the body and returns its hash (32 octets); further calls return the same value.</summary>
    public byte[] Finish()
    {
        if (_result is not null) return _result;
        if (_pendingCr)
        {
            _pendingCr = false;
            Content("\r"u8);
        }
        if (_lineHasContent) EndLine(); // a last line without CRLF gets one (§3.4.3; relaxed likewise)
        if (_mode == DkimCanonicalization.Simple && CanonicalLength == 0) Write("\r\n"u8); // simple: an empty body is one CRLF
        Flush();
        _finished = true;
        _result = _hash.GetHashAndReset();
        return _result;
    }

    private void Content(ReadOnlySpan<byte> bytes)
    {
        for (; _emptyLines > 0; _emptyLines--) Write("\r\n"u8); // they were not at the end after all
        if (_pendingSpace)
        {
            _pendingSpace = false;
            Write(" "u8);
        }
        Write(bytes);
        _lineHasContent = true;
    }

    private void EndLine()
    {
        _pendingSpace = false; // relaxed: white space at the end of a line goes
        if (_lineHasContent)
        {
            Write("\r\n"u8);
            _lineHasContent = false;
        }
        else _emptyLines++;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        long start = CanonicalLength;
        CanonicalLength += bytes.Length;
        if (_limit >= 0)
        {
            if (start >= _limit) return;
            if (start + bytes.Length > _limit) bytes = bytes[..(int)(_limit - start)];
        }
        if (bytes.Length > BufferSize - _used)
        {
            Flush();
            if (bytes.Length >= BufferSize)
            {
                _hash.AppendData(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    private void Flush()
    {
        if (_used == 0) return;
        _hash.AppendData(_buffer, 0, _used);
        _used = 0;
    }

    public void Dispose() => _hash.Dispose();
}
