using System.Buffers;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Arc;

/// <summary>
/// The validation of one message's ARC chain in progress (RFC 8617 §5.2): the sets found in the header section, one
/// body hasher per distinct (canonicalisation, l=) of their ARC-Message-Signatures fed as the body streams in, then
/// <see cref="FinishAsync"/> checks the structure, the newest message signature, every seal, and the older message
/// signatures for "oldest-pass". Canonicalisation, body hashing and key lookup are DKIM's (RFC 8617 §4.1.2, §4.1.3).
/// </summary>
public sealed class ArcVerification : IDisposable
{
    private readonly DkimVerifier _keys;
    private readonly byte[] _header;
    private readonly List<Range> _fields;
    private readonly List<ArcField> _arc;
    private readonly Dictionary<(DkimCanonicalization, long), DkimBodyHasher> _hashers = new();
    /// <summary>The sets by instance (index 0 is instance 1) when the structure is sound; null otherwise.</summary>
    private readonly (ArcField Aar, ArcField Ams, ArcField Seal)[]? _sets;
    private readonly string _structureError = "";

    internal ArcVerification(DkimVerifier keys, byte[] header)
    {
        _keys = keys;
        _header = header;
        _fields = DkimHeaderFields.Split(header);
        _arc = ArcField.Find(header, _fields);
        if (_arc.Count == 0) return;
        _sets = Structure(_arc, out _structureError);
        if (_sets is null) return;
        foreach (var (_, ams, _) in _sets)
        {
            if (!TryBodyParameters(ams, out var mode, out long length)) continue;
            if (!_hashers.ContainsKey((mode, length))) _hashers[(mode, length)] = new DkimBodyHasher(mode, length);
        }
    }

    /// <summary>Whether the message has ARC fields at all (when not, the body need not be fed).</summary>
    public bool HasChain => _arc.Count > 0;

    /// <summary>The highest i= of the ARC fields (0 without any): the next seal is this plus one.</summary>
    public int HighestInstance => _arc.Count == 0 ? 0 : _arc.Max(f => f.Instance);

    /// <summary>The number of complete sets (N) when the structure is sound, else 0.</summary>
    public int Instances => _sets?.Length ?? 0;

    public void AppendBody(ReadOnlySpan<byte> bytes)
    {
        foreach (var hasher in _hashers.Values) hasher.Append(bytes);
    }

    public async Task<ArcCheck> FinishAsync(CancellationToken ct)
    {
        if (_arc.Count == 0) return ArcCheck.NoChain;
        if (_sets is null) return Failed(0, _structureError);
        int n = _sets.Length;
        var newest = _sets[n - 1].Seal.Tags!;
        string sealDomain = newest.GetValueOrDefault("d", "").ToLowerInvariant();
        // §5.2 step 2, and the cv= each instance must carry (§5.1.1: none for the first, pass after it).
        if (newest.GetValueOrDefault("cv") == "fail") return Failed(n, $"ARC-Seal i={n} reports a failed chain", sealDomain);
        for (int i = 1; i <= n; i++)
        {
            var cv = _sets[i - 1].Seal.Tags!.GetValueOrDefault("cv");
            if (cv != (i == 1 ? "none" : "pass")) return Failed(n, $"ARC-Seal i={i} has cv={cv ?? "(none)"}", sealDomain);
        }
        var newestAms = await CheckMessageSignatureAsync(_sets[n - 1].Ams, ct).ConfigureAwait(false);
        if (newestAms.Length > 0) return Failed(n, $"ARC-Message-Signature i={n}: {newestAms}", sealDomain);
        for (int i = n; i >= 1; i--)
        {
            var seal = await CheckSealAsync(i, ct).ConfigureAwait(false);
            if (seal.Length > 0) return Failed(n, $"ARC-Seal i={i}: {seal}", sealDomain);
        }
        int oldestPass = 0;
        for (int i = n - 1; i >= 1; i--)
        {
            if ((await CheckMessageSignatureAsync(_sets[i - 1].Ams, ct).ConfigureAwait(false)).Length == 0) continue;
            oldestPass = i + 1;
            break;
        }
        return new ArcCheck(ArcResult.Pass, n, oldestPass, sealDomain, "");
    }

    /// <summary>
    /// The complete sets 1..<paramref name="upTo"/> as an ARC-Seal signs them (§5.1.1): in order, each
    /// ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal, relaxed. The seal's own set follows, its seal without its b= value
    /// and CRLF (that last part is the caller's: a verifier strips the seal it checks, a sealer adds the one it makes).
    /// </summary>
    internal void AppendSealedSets(int upTo, ArrayBufferWriter<byte> output)
    {
        for (int i = 1; i <= upTo; i++)
        {
            var (aar, ams, seal) = _sets![i - 1];
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, _header.AsSpan(aar.Range), output);
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, _header.AsSpan(ams.Range), output);
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, _header.AsSpan(seal.Range), output);
        }
    }

    private async Task<string> CheckSealAsync(int instance, CancellationToken ct)
    {
        var tags = _sets![instance - 1].Seal.Tags!;
        foreach (var required in new[] { "a", "b", "cv", "d", "s" })
            if (!tags.ContainsKey(required)) return $"no {required}=";
        if (tags.ContainsKey("h")) return "h= is not allowed in an ARC-Seal (RFC 8617 §4.1.3)";
        var data = new ArrayBufferWriter<byte>(2048);
        AppendSealedSets(instance - 1, data);
        var (aar, ams, seal) = _sets[instance - 1];
        DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, _header.AsSpan(aar.Range), data);
        DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, _header.AsSpan(ams.Range), data);
        DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, DkimSignatureField.WithoutSignatureValue(_header.AsSpan(seal.Range)), data, withCrlf: false);
        return await VerifyAsync(tags, data.WrittenSpan.ToArray(), ct).ConfigureAwait(false);
    }

    /// <summary>"" when the ARC-Message-Signature verifies (as a DKIM-Signature, §4.1.2), else why not.</summary>
    private async Task<string> CheckMessageSignatureAsync(ArcField ams, CancellationToken ct)
    {
        var tags = ams.Tags!;
        foreach (var required in new[] { "a", "b", "bh", "d", "h", "s" })
            if (!tags.ContainsKey(required)) return $"no {required}=";
        if (!TryBodyParameters(ams, out var bodyMode, out long length)) return "c= or l= not valid";
        var headerMode = tags.GetValueOrDefault("c", "relaxed").Split('/')[0] == "simple" ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed;
        var names = tags["h"].Split(':').Select(h => h.Trim(' ', '\t', '\r', '\n')).ToList();
        if (names.Exists(h => h.Equals("arc-seal", StringComparison.OrdinalIgnoreCase))) return "h= includes ARC-Seal (RFC 8617 §4.1.2)";
        byte[] bh;
        try { bh = Convert.FromBase64String(DkimTagList.WithoutWhiteSpace(tags["bh"])); }
        catch (FormatException) { return "bh= not base64"; }
        var hasher = _hashers[(bodyMode, length)];
        if (!hasher.Finish().AsSpan().SequenceEqual(bh)) return "body hash did not verify";
        var data = new ArrayBufferWriter<byte>(_header.Length + 256);
        DkimHeaderFields.AppendSigned(headerMode, _header, _fields, names, data);
        DkimHeaderCanonicalizer.Canonicalize(headerMode, DkimSignatureField.WithoutSignatureValue(_header.AsSpan(ams.Range)), data, withCrlf: false);
        return await VerifyAsync(tags, data.WrittenSpan.ToArray(), ct).ConfigureAwait(false);
    }

    /// <summary>"" when b= of the tags verifies over the data with the key of d= and s=, else why not (RFC 8301 rules as for DKIM).</summary>
    private async Task<string> VerifyAsync(Dictionary<string, string> tags, byte[] data, CancellationToken ct)
    {
        var algorithm = tags["a"].ToLowerInvariant();
        if (algorithm == "rsa-sha1") return "rsa-sha1 is not accepted (RFC 8301 §3.1)";
        if (algorithm is not ("rsa-sha256" or "ed25519-sha256")) return "unknown algorithm " + algorithm;
        byte[] signature;
        try { signature = Convert.FromBase64String(DkimTagList.WithoutWhiteSpace(tags["b"])); }
        catch (FormatException) { return "b= not base64"; }
        var (key, _, why) = await _keys.FetchKeyAsync(tags["d"].ToLowerInvariant().TrimEnd('.'), tags["s"], ct).ConfigureAwait(false);
        if (key is null) return why;
        if (key.KeyType != (algorithm == "rsa-sha256" ? "rsa" : "ed25519")) return "key type does not match a=";
        if (key.KeyType == "rsa" && key.Bits < DkimVerifier.MinimumRsaBits) return $"RSA key of {key.Bits} bits is too short (RFC 8301 §3.2)";
        return key.Verify(data, signature) ? "" : "signature did not verify";
    }

    private static bool TryBodyParameters(ArcField ams, out DkimCanonicalization mode, out long length)
    {
        mode = DkimCanonicalization.Relaxed;
        length = -1;
        var tags = ams.Tags!;
        var c = tags.GetValueOrDefault("c", "relaxed/relaxed").Split('/');
        var body = c.Length == 2 ? c[1] : "simple";
        if (c.Length > 2 || c[0] is not ("simple" or "relaxed") || body is not ("simple" or "relaxed")) return false;
        mode = body == "relaxed" ? DkimCanonicalization.Relaxed : DkimCanonicalization.Simple;
        return !tags.TryGetValue("l", out var l) || long.TryParse(l, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length);
    }

    /// <summary>Instances 1..N each with exactly one field of each kind (§5.2 step 3), or null and why not.</summary>
    private static (ArcField, ArcField, ArcField)[]? Structure(List<ArcField> arc, out string error)
    {
        error = "";
        if (arc.Exists(f => f.Instance == 0)) { error = "an ARC field without a valid i= (1..50)"; return null; }
        if (arc.Exists(f => f.Kind != ArcFieldKind.AuthenticationResults && f.Tags is null)) { error = "an ARC signature field that cannot be parsed"; return null; }
        int n = arc.Max(f => f.Instance);
        var sets = new (ArcField, ArcField, ArcField)[n];
        for (int i = 1; i <= n; i++)
        {
            var of = arc.Where(f => f.Instance == i).ToList();
            var aar = of.Where(f => f.Kind == ArcFieldKind.AuthenticationResults).ToList();
            var ams = of.Where(f => f.Kind == ArcFieldKind.MessageSignature).ToList();
            var seal = of.Where(f => f.Kind == ArcFieldKind.Seal).ToList();
            if (aar.Count != 1 || ams.Count != 1 || seal.Count != 1) { error = $"ARC set i={i} is incomplete or duplicated"; return null; }
            sets[i - 1] = (aar[0], ams[0], seal[0]);
        }
        return sets;
    }

    private static ArcCheck Failed(int instances, string reason, string sealDomain = "") => new(ArcResult.Fail, instances, 0, sealDomain, reason);

    public void Dispose()
    {
        foreach (var hasher in _hashers.Values) hasher.Dispose();
    }
}
