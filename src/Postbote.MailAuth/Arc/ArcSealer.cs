using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Arc;

/// <summary>
/// Adds an ARC set (RFC 8617 §5.1) to mail we forward: ARC-Authentication-Results (our Authentication-Results
/// with i=), ARC-Message-Signature (a DKIM signature with i= instead of v=, relaxed/relaxed, over the header fields
/// DKIM signs) and ARC-Seal (over the chain so far and the new set, with cv= our validation of the chain that came
/// in). Signed rsa-sha256 with the DKIM key of the forwarding domain (DkimSigner's keys; RFC 8617 has no Ed25519).
/// Like the DKIM-Signature, the set is header fields to prepend at delivery: the stored message stays byte-exact.
/// </summary>
public sealed partial class ArcSealer
{
    private readonly DkimSigner _keys;
    private readonly DkimOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public ArcSealer(DkimSigner keys, DkimOptions options, TimeProvider time, ILogger? log = null)
    {
        _keys = keys;
        _options = options;
        _time = time;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>Most octets of a header section held to seal a message (Dkim:MaxHeaderBytes).</summary>
    public int MaxHeaderBytes => _options.MaxHeaderBytes;

    /// <summary>Whether a forwarding domain (or a parent of it) has an RSA key to seal with.</summary>
    public bool CanSeal(string domain) => RsaKey(domain) is not null;

    /// <summary>
    /// The ARC set for the next instance, top down (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results,
    /// each ending in CRLF), to put above <paramref name="header"/> (the header section as delivered, prepended
    /// fields included). Empty when <paramref name="domain"/> has no RSA key or the chain already has 50 sets.
    /// </summary>
    /// <param name="chain">The incoming chain as validated (null: the message had none).</param>
    /// <param name="check">Our validation of it: its result becomes cv=.</param>
    /// <param name="relaxedBodyHash">The relaxed SHA-256 body hash (the DKIM signing capture's).</param>
    /// <param name="authenticationResults">Our Authentication-Results value: "authserv-id; method=result ...".</param>
    public IReadOnlyList<string> Seal(ReadOnlySpan<byte> header, byte[] relaxedBodyHash, ArcVerification? chain, ArcCheck check,
        string authenticationResults, string domain, string queueId)
    {
        var key = RsaKey(domain);
        if (key is null) return [];
        int instance = (chain?.HighestInstance ?? 0) + 1;
        if (instance > ArcField.MaxInstances)
        {
            LogNotSealed(queueId, $"the chain already has {ArcField.MaxInstances} sets");
            return [];
        }
        // A chain we could not validate is sealed as failed, whatever it claims; the first set says none.
        string cv = instance == 1 ? "none" : check.Result == ArcResult.Pass ? "pass" : "fail";
        string i = instance.ToString(CultureInfo.InvariantCulture);
        string t = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var aar = $"ARC-Authentication-Results: i={i}; {authenticationResults.Trim(' ', '\t', '\r', '\n')}\r\n";

        var fields = DkimHeaderFields.Split(header);
        var names = DkimSigner.SignedNames(_options.SignedHeaders, header, fields);
        var amsData = new ArrayBufferWriter<byte>(header.Length + 512);
        DkimHeaderFields.AppendSigned(DkimCanonicalization.Relaxed, header, fields, names, amsData);
        string amsUnsigned = $"ARC-Message-Signature: i={i}; a=rsa-sha256; c=relaxed/relaxed; d={key.Domain};\r\n\ts={key.Selector}; t={t};\r\n\th={DkimSigner.FoldedNames(names)};\r\n\tbh={Convert.ToBase64String(relaxedBodyHash)};\r\n\tb=";
        DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, Encoding.ASCII.GetBytes(amsUnsigned), amsData, withCrlf: false);

        string sealUnsigned = $"ARC-Seal: i={i}; a=rsa-sha256; t={t}; cv={cv};\r\n\td={key.Domain}; s={key.Selector};\r\n\tb=";
        string ams, seal;
        try
        {
            ams = amsUnsigned + DkimSigner.Folded(Convert.ToBase64String(key.Sign(amsData.WrittenSpan))) + "\r\n";
            var sealData = new ArrayBufferWriter<byte>(4096);
            // §5.1.1: the seal covers every earlier set and its own; after a failed chain, only its own (as dkimpy).
            if (cv == "pass") chain!.AppendSealedSets(instance - 1, sealData);
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, Encoding.UTF8.GetBytes(aar), sealData);
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, Encoding.ASCII.GetBytes(ams), sealData);
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, Encoding.ASCII.GetBytes(sealUnsigned), sealData, withCrlf: false);
            seal = sealUnsigned + DkimSigner.Folded(Convert.ToBase64String(key.Sign(sealData.WrittenSpan))) + "\r\n";
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            LogNotSealed(queueId, $"signing with {key.RecordName} failed: {e.Message}"); // forwarded unsealed, never lost
            return [];
        }
        LogSealed(queueId, instance, cv, key.Domain, key.Selector);
        return [seal, ams, aar];
    }

    private DkimSigningKey? RsaKey(string domain) => _keys.KeysFor(domain).FirstOrDefault(k => k.Algorithm == DkimAlgorithm.RsaSha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: arc: sealed i={Instance} cv={Cv} d={Domain} s={Selector}")]
    private partial void LogSealed(string queueId, int instance, string cv, string domain, string selector);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: arc: not sealed: {Reason}")]
    private partial void LogNotSealed(string queueId, string reason);
}
