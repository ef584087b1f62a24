using System.Buffers;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// What DKIM needs of a message while it streams to the spool, so it is never read again: a copy of the header
/// section (bounded by <see cref="DkimOptions.MaxHeaderBytes"/>) and, for signing, the relaxed body hash; for
/// verifying (<see cref="ForChecks"/>), a <see cref="DkimVerification"/> begun on the
/// header section and fed the body. The writer feeds each piece to <see cref="AppendHeader"/> or
/// <see cref="AppendBody"/> as it finds the end of the header section.
/// </summary>
public sealed class DkimMessageCapture : IDisposable
{
    private readonly int _maxHeaderBytes;
    private readonly DkimBodyHasher? _body;
    private readonly DkimVerifier? _verifier;
    private DkimVerification? _verification;
    private byte[] _header;
    private int _headerLength;

    /// <summary>A capture for signing: the header copy and the relaxed body hash.</summary>
    public DkimMessageCapture(int maxHeaderBytes) : this(maxHeaderBytes, sign: true, null) { }

    /// <summary>
    /// A capture for inbound checks: the header copy (to find forged Authentication-Results) and, with a
    /// <paramref name="verifier"/>, the verification of the message's signatures; no signing hash.
    /// </summary>
    public static DkimMessageCapture ForChecks(int maxHeaderBytes, DkimVerifier? verifier) => new(maxHeaderBytes, sign: false, verifier);

    private DkimMessageCapture(int maxHeaderBytes, bool sign, DkimVerifier? verifier)
    {
        _maxHeaderBytes = maxHeaderBytes;
        _verifier = verifier;
        if (sign) _body = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        _header = ArrayPool<byte>.Shared.Rent(Math.Min(maxHeaderBytes, 8 * 1024));
    }

    /// <summary>The header section was longer than the limit: the message is not signed (nor verified).</summary>
    public bool HeaderTooLong { get; private set; }
    /// <summary>The relaxed body hash, for signing.</summary>
    public DkimBodyHasher Body => _body ?? throw new InvalidOperationException("a verifying capture has no signing hash");
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

    public void AppendBody(ReadOnlySpan<byte> bytes)
    {
        if (_body is not null)
        {
            _body.Append(bytes);
            return;
        }
        Verification?.AppendBody(bytes);
    }

    /// <summary>
    /// The verification of the message's signatures, begun on the header section at the first body byte (or when asked
    /// at the end, for a message without a body); null when not verifying or when the header section was too long.
    /// </summary>
    public DkimVerification? Verification
    {
        get
        {
            if (_verification is null && _verifier is not null && !HeaderTooLong) _verification = _verifier.Begin(Header);
            return _verification;
        }
    }

    public void Dispose()
    {
        _body?.Dispose();
        _verification?.Dispose();
        _verification = null;
        if (_header.Length > 0) ArrayPool<byte>.Shared.Return(_header);
        _header = [];
    }
}
