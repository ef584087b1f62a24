using System.Buffers;
using System.Globalization;
using System.Text;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// The verification of one message in progress: its signatures parsed from the header section, one body hasher per
/// distinct (canonicalisation, l=) pair fed as the body streams in, then <see cref="FinishAsync"/> fetches the keys
/// and checks each signature. Results in the order the signatures appear, top down.
/// </summary>
public sealed class DkimVerification : IDisposable
{
    private readonly DkimVerifier _verifier;
    private readonly byte[] _header;
    private readonly List<Range> _fields;
    private readonly List<DkimSignatureField> _signatures = new();
    private readonly int _ignored;
    private readonly Dictionary<(DkimCanonicalization, long), DkimBodyHasher> _hashers = new();

    internal DkimVerification(DkimVerifier verifier, byte[] header)
    {
        _verifier = verifier;
        _header = header;
        _fields = DkimHeaderFields.Split(header);
        foreach (var f in _fields)
        {
            var field = header.AsSpan(f);
            if (!Ascii.EqualsIgnoreCase(DkimHeaderCanonicalizer.NameOf(field), "dkim-signature"u8)) continue;
            if (_signatures.Count == verifier.MaxSignatures) { _ignored++; continue; }
            var value = Encoding.UTF8.GetString(field[(field.IndexOf((byte)':') + 1)..]);
            var signature = DkimSignatureField.Parse(value, f);
            _signatures.Add(signature);
            if (signature.Error.Length == 0 && !_hashers.ContainsKey((signature.BodyCanonicalization, signature.BodyLength)))
                _hashers[(signature.BodyCanonicalization, signature.BodyLength)] = new DkimBodyHasher(signature.BodyCanonicalization, signature.BodyLength);
        }
    }

    /// <summary>Whether the message has any signature at all (when not, nothing need be fed).</summary>
    public bool HasSignatures => _signatures.Count > 0;

    public void AppendBody(ReadOnlySpan<byte> bytes)
    {
        foreach (var hasher in _hashers.Values) hasher.Append(bytes);
    }

    public async Task<IReadOnlyList<DkimCheck>> FinishAsync(CancellationToken ct)
    {
        // Body hashes first (shared by signatures with the same c= and l=), then the key lookups in parallel.
        foreach (var hasher in _hashers.Values) hasher.Finish();
        var results = new List<DkimCheck>(_signatures.Count + _ignored);
        if (_signatures.Count == 1) results.Add(await CheckAsync(_signatures[0], ct).ConfigureAwait(false));
        else if (_signatures.Count > 1) results.AddRange(await Task.WhenAll(_signatures.Select(s => CheckAsync(s, ct))).ConfigureAwait(false));
        for (int i = 0; i < _ignored; i++)
            results.Add(new DkimCheck(DkimResult.Neutral, "", "", "", $"not checked: more than {_verifier.MaxSignatures} signatures"));
        return results;
    }

    private async Task<DkimCheck> CheckAsync(DkimSignatureField s, CancellationToken ct)
    {
        DkimCheck Result(DkimResult result, string reason) => new(result, s.Domain, s.Selector, s.Algorithm, reason);
        if (s.Error.Length > 0) return Result(DkimResult.PermError, s.Error);
        if (s.Algorithm == "rsa-sha1") return Result(DkimResult.Fail, "rsa-sha1 is not accepted (RFC 8301 §3.1)");
        if (s.Algorithm is not ("rsa-sha256" or "ed25519-sha256")) return Result(DkimResult.PermError, "unknown algorithm " + s.Algorithm);
        if (s.Expiration is { } x && x < _verifier.Now.ToUnixTimeSeconds()) return Result(DkimResult.Fail, "signature expired");
        var hasher = _hashers[(s.BodyCanonicalization, s.BodyLength)];
        var bodyHash = hasher.Finish();
        if (s.BodyLength >= 0 && hasher.CanonicalLength < s.BodyLength) return Result(DkimResult.Fail, "body shorter than l=");
        DkimPublicKey? key;
        DkimResult lookup;
        string why;
        try { (key, lookup, why) = await _verifier.FetchKeyAsync(s.Domain, s.Selector, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return Result(DkimResult.TempError, "key lookup: time budget exhausted"); }
        if (key is null) return Result(lookup, why);
        if (key.KeyType != (s.Algorithm == "rsa-sha256" ? "rsa" : "ed25519")) return Result(DkimResult.PermError, "key type does not match a=");
        if (key.KeyType == "rsa" && key.Bits < DkimVerifier.MinimumRsaBits) return Result(DkimResult.Fail, $"RSA key of {key.Bits} bits is too short (RFC 8301 §3.2)");
        if (!bodyHash.AsSpan().SequenceEqual(s.BodyHash)) return Result(DkimResult.Fail, "body hash did not verify");
        var data = new ArrayBufferWriter<byte>(_header.Length + 256);
        DkimHeaderFields.AppendSigned(s.HeaderCanonicalization, _header, _fields, s.SignedHeaders, data);
        DkimHeaderCanonicalizer.Canonicalize(s.HeaderCanonicalization, DkimSignatureField.WithoutSignatureValue(_header.AsSpan(s.Field)), data, withCrlf: false);
        if (!key.Verify(data.WrittenSpan, s.Signature)) return Result(DkimResult.Fail, "signature did not verify");
        // l= is honoured, and said: what follows the signed part of the body is not covered (RFC 6376 §8.2).
        return Result(DkimResult.Pass, s.BodyLength >= 0 && hasher.CanonicalLength > s.BodyLength
            ? $"l={s.BodyLength.ToString(CultureInfo.InvariantCulture)}: {(hasher.CanonicalLength - s.BodyLength).ToString(CultureInfo.InvariantCulture)} body octets not signed"
            : s.BodyLength >= 0 ? $"l={s.BodyLength.ToString(CultureInfo.InvariantCulture)}" : "");
    }

    public void Dispose()
    {
        foreach (var hasher in _hashers.Values) hasher.Dispose();
    }
}
