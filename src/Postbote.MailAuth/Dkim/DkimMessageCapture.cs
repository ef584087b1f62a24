using System.Buffers;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// What signing needs of a message while it streams to the spool, so it is never read again: a copy of the header
/// section (bounded by <see cref="DkimOptions.MaxHeaderBytes"/>) and the relaxed body hash. The writer feeds each
/// piece to <see cref="AppendHeader"/> or <see cref="AppendBody"/> as it finds the end of the header section.
/// </summary>
public sealed class DkimMessageCapture : IDisposable
{
    private readonly int _maxHeaderBytes;
    private byte[] _header;
    private int _headerLength;

    public DkimMessageCapture(int maxHeaderBytes)
    {
        _maxHeaderBytes = maxHeaderBytes;
        _header = ArrayPool<byte>.Shared.Rent(Math.Min(maxHeaderBytes, 8 * 1024));
    }

    /// <summary>The header section was longer than the limit: the message is not signed.</summary>
    public bool HeaderTooLong { get; private set; }
    public DkimBodyHasher Body { get; } = new(DkimCanonicalization.Relaxed);
    /// <summary>The header section as stored (our Received: first), with the empty line that ends it if seen.</summary>
    public ReadOnlySpan<byte> Header => _header.AsSpan(0, _headerLength);

    public void AppendHeader(ReadOnlySpan<byte> bytes)
    {
        if (HeaderTooLong || bytes.IsEmpty) return;
        if (_headerLength + bytes.Length > _maxHeaderBytes)
        {
            HeaderTooLong = true;
            return;
        }
        if (_headerLength + bytes.Length > _header.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxHeaderBytes, Math.Max(_header.Length * 2, _headerLength + bytes.Length)));
            Header.CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_header);
            _header = bigger;
        }
        bytes.CopyTo(_header.AsSpan(_headerLength));
        _headerLength += bytes.Length;
    }

    public void AppendBody(ReadOnlySpan<byte> bytes) => Body.Append(bytes);

    public void Dispose()
    {
        Body.Dispose();
        if (_header.Length > 0) ArrayPool<byte>.Shared.Return(_header);
        _header = [];
    }
}
