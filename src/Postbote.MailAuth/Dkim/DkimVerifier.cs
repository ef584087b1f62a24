using ARSoft.Tools.Net.Dns;
using Postbote.Dns;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// Verifies DKIM signatures (RFC 6376 §6, with RFC 8301 and RFC 8463): rsa-sha256 and ed25519-sha256; rsa-sha1 and
/// RSA keys under 1024 bits fail (RFC 8301 §3.1, §3.2). At most <see cref="MaxSignatures"/> signatures are
/// checked, the rest reported as neutral. Keys are fetched as TXT records through <see cref="DnsResolver"/>.
/// <see cref="Begin"/> takes the header section and returns a <see cref="DkimVerification"/> to feed the body as
/// it streams in, so a message is read once.
/// </summary>
public sealed class DkimVerifier
{
    /// <summary>Signatures checked per message (a limit as rspamd's and Stalwart's, against signature floods).</summary>
    public const int DefaultMaxSignatures = 5;
    /// <summary>RFC 8301 §3.2: verifiers must not consider signatures with shorter RSA keys valid.</summary>
    public const int MinimumRsaBits = 1024;

    private readonly DnsResolver _dns;
    private readonly TimeProvider _time;

    public DkimVerifier(DnsResolver dns, TimeProvider time, int maxSignatures = DefaultMaxSignatures)
    {
        _dns = dns;
        _time = time;
        MaxSignatures = maxSignatures;
    }

    public int MaxSignatures { get; }

    /// <summary>Starts verifying a message from its header section (the octets up to and including the empty line).</summary>
    public DkimVerification Begin(ReadOnlySpan<byte> headerSection) => new(this, headerSection.ToArray());

    /// <summary>Verifies a whole message held in memory.</summary>
    public Task<IReadOnlyList<DkimCheck>> VerifyAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        int headerLength = DkimHeaderFields.SectionLength(message.Span);
        var verification = Begin(message.Span[..headerLength]);
        verification.AppendBody(message.Span[headerLength..]);
        return verification.FinishAsync(ct);
    }

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The key record of SELECTOR._domainkey.DOMAIN, or the result that its absence or a DNS failure gives.</summary>
    internal async Task<(DkimPublicKey? Key, DkimResult Result, string Reason)> FetchKeyAsync(string domain, string selector, CancellationToken ct)
    {
        var name = $"{selector}._domainkey.{domain}";
        DnsAnswer answer;
        try { answer = await _dns.QueryAsync(name, RecordType.Txt, ct).ConfigureAwait(false); }
        catch (ArgumentException) { return (null, DkimResult.PermError, "key name invalid"); }
        switch (answer.Status)
        {
            case DnsAnswerStatus.TemporaryFailure: return (null, DkimResult.TempError, "key lookup failed: " + answer.Detail);
            case DnsAnswerStatus.NxDomain or DnsAnswerStatus.NoData: return (null, DkimResult.PermError, "no key for signature");
        }
        var records = answer.RecordsOf<TxtRecord>().Select(r => r.TextData).ToList();
        if (records.Count != 1) return (null, DkimResult.PermError, records.Count == 0 ? "no key for signature" : "more than one key record");
        var key = DkimPublicKey.Parse(records[0], out var error, out _);
        return key is null ? (null, DkimResult.PermError, error) : (key, DkimResult.Pass, "");
    }
}
