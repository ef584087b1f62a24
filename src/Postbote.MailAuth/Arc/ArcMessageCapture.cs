using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Arc;

/// <summary>
/// What sealing forwarded mail needs of it while it streams to the spool, so it is never read again: the header copy
/// and relaxed body hash (as DKIM signing's capture) and the validation of the ARC chain it arrived with, begun on
/// the header section at the first body byte. Only transactions with a forwarded recipient make one.
/// </summary>
public sealed class ArcMessageCapture : IDisposable
{
    private readonly ArcVerifier _verifier;
    private readonly DkimMessageCapture _message;
    private ArcVerification? _chain;
    private bool _begun;

    public ArcMessageCapture(ArcVerifier verifier, int maxHeaderBytes)
    {
        _verifier = verifier;
        _message = new DkimMessageCapture(maxHeaderBytes);
    }

    /// <summary>The header section was longer than the limit: the message is forwarded unsealed.</summary>
    public bool HeaderTooLong => _message.HeaderTooLong;

    /// <summary>The header section as stored (our Received: first).</summary>
    public ReadOnlySpan<byte> Header => _message.Header;

    public void AppendHeader(ReadOnlySpan<byte> bytes) => _message.AppendHeader(bytes);

    public void AppendBody(ReadOnlySpan<byte> bytes)
    {
        _message.AppendBody(bytes);
        Chain?.AppendBody(bytes);
    }

    /// <summary>The relaxed SHA-256 body hash (ARC-Message-Signature's bh=).</summary>
    public byte[] BodyHash() => _message.Body.Finish();

    /// <summary>The incoming chain (null when the header section was too long to keep).</summary>
    public ArcVerification? Chain
    {
        get
        {
            if (!_begun && !HeaderTooLong)
            {
                _begun = true;
                _chain = _verifier.Begin(Header);
            }
            return _chain;
        }
    }

    public void Dispose()
    {
        _message.Dispose();
        _chain?.Dispose();
        _chain = null;
    }
}
