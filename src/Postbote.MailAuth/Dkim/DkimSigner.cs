using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// Signs outgoing mail (RFC 6376 §5): when the From: domain, or a parent of it, has keys in the
/// <see cref="DkimKeyStore"/>, one DKIM-Signature per algorithm (rsa-sha256, and ed25519-sha256 too when the domain
/// has such a key: dual signing, RFC 8463 §5), relaxed/relaxed, t= set, no l=, From oversigned. The body hash comes
/// from the <see cref="DkimMessageCapture"/> filled while the message streamed to the spool; the header hash is over
/// the stored header section plus the fields we prepend. The result is header fields to prepend at delivery: the
/// stored message stays byte-exact. The keys are reread every <see cref="DkimOptions.KeyReloadInterval"/>.
/// </summary>
public sealed partial class DkimSigner
{
    private readonly DkimKeyStore _store;
    private readonly DkimOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly object _reloadLock = new();
    private volatile KeySnapshot _keys;

    private sealed record KeySnapshot(Dictionary<string, List<DkimSigningKey>> ByDomain, DateTimeOffset LoadedAt);

    public DkimSigner(DkimKeyStore store, DkimOptions options, TimeProvider time, ILogger? log = null)
    {
        _store = store;
        _options = options;
        _time = time;
        _log = log ?? NullLogger.Instance;
        _keys = LoadKeys();
    }

    /// <summary>Whether a message should be captured for signing at all: signing is on and some domain has a key.</summary>
    public bool IsActive => _options.Sign && Keys().ByDomain.Count > 0;

    /// <summary>A capture to feed while the message streams in, or null when nothing would be signed.</summary>
    public DkimMessageCapture? BeginCapture() => IsActive ? new DkimMessageCapture(_options.MaxHeaderBytes) : null;

    /// <summary>
    /// The DKIM-Signature fields (each ending in CRLF) for a captured message, to be put before
    /// <paramref name="prepended"/> (the other fields added at delivery, which are signed too). Empty when the From:
    /// domain has no key, the message has not exactly one From:, or its header section was too long.
    /// </summary>
    public IReadOnlyList<string> Sign(DkimMessageCapture capture, IReadOnlyList<string> prepended, string queueId)
    {
        if (capture.HeaderTooLong)
        {
            LogHeaderTooLong(queueId, _options.MaxHeaderBytes);
            return [];
        }
        return Sign(capture.Header, prepended, capture.Body.Finish(), queueId);
    }

    /// <summary>Signs a whole message held in memory (a bounce we generate); returns the fields to put before it.</summary>
    public IReadOnlyList<string> SignMessage(ReadOnlySpan<byte> message, string queueId)
    {
        if (!IsActive) return [];
        int headerLength = DkimHeaderFields.SectionLength(message);
        using var body = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        body.Append(message[headerLength..]);
        return Sign(message[..headerLength], [], body.Finish(), queueId);
    }

    private IReadOnlyList<string> Sign(ReadOnlySpan<byte> storedHeader, IReadOnlyList<string> prepended, byte[] bodyHash, string queueId)
    {
        // The header as delivered: the prepended fields first, then the stored ones.
        var prefix = Encoding.UTF8.GetBytes(string.Concat(prepended));
        var all = new byte[prefix.Length + storedHeader.Length];
        prefix.CopyTo(all, 0);
        storedHeader.CopyTo(all.AsSpan(prefix.Length));
        var fields = DkimHeaderFields.Split(all);
        if (FromDomain(all, fields) is not { } from) return [];
        var keys = KeysFor(from);
        if (keys.Count == 0) return [];
        var signed = SignedNames(_options.SignedHeaders, all, fields);
        var headerData = new ArrayBufferWriter<byte>(all.Length + 512);
        DkimHeaderFields.AppendSigned(DkimCanonicalization.Relaxed, all, fields, signed, headerData);
        long t = _time.GetUtcNow().ToUnixTimeSeconds();
        string bh = Convert.ToBase64String(bodyHash);
        var result = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            string unsigned = $"DKIM-Signature: v=1; a={key.AlgorithmName}; c=relaxed/relaxed; d={key.Domain};\r\n\ts={key.Selector}; t={t.ToString(CultureInfo.InvariantCulture)};\r\n\th={FoldedNames(signed)};\r\n\tbh={bh};\r\n\tb=";
            var data = new ArrayBufferWriter<byte>(headerData.WrittenCount + unsigned.Length);
            data.Write(headerData.WrittenSpan);
            DkimHeaderCanonicalizer.Canonicalize(DkimCanonicalization.Relaxed, Encoding.ASCII.GetBytes(unsigned), data, withCrlf: false);
            byte[] signature;
            try { signature = key.Sign(data.WrittenSpan); }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                LogSignFailed(queueId, key.RecordName, e.Message); // the message goes out unsigned, never lost
                continue;
            }
            result.Add(unsigned + Folded(Convert.ToBase64String(signature)) + "\r\n");
            LogSigned(queueId, key.Domain, key.Selector, key.AlgorithmName);
        }
        return result;
    }

    /// <summary>The keys that sign for <paramref name="domain"/>: its own, else its nearest parent's; the oldest of each algorithm.</summary>
    public IReadOnlyList<DkimSigningKey> KeysFor(string domain)
    {
        var byDomain = Keys().ByDomain;
        for (string? d = domain.ToLowerInvariant().TrimEnd('.'); d is not null; d = Parent(d))
        {
            if (byDomain.TryGetValue(d, out var keys))
                return keys.GroupBy(k => k.Algorithm).OrderBy(g => g.Key).Select(g => g.First()).ToList();
        }
        return [];
    }

    private static string? Parent(string domain)
    {
        int dot = domain.IndexOf('.');
        return dot < 0 || domain.IndexOf('.', dot + 1) < 0 ? null : domain[(dot + 1)..]; // stop at two labels
    }

    /// <summary>The domain of the single From: field's first mailbox, in lower-case A-label form.</summary>
    internal static string? FromDomain(ReadOnlySpan<byte> header, List<Range> fields)
    {
        string? value = null;
        foreach (var f in fields)
        {
            var field = header[f];
            if (!Ascii.EqualsIgnoreCase(DkimHeaderCanonicalizer.NameOf(field), "from"u8)) continue;
            if (value is not null) return null; // RFC 5322 §3.6: exactly one From:
            value = Encoding.UTF8.GetString(field[(field.IndexOf((byte)':') + 1)..]);
        }
        if (value is null || !MimeKit.InternetAddressList.TryParse(value, out var list)) return null;
        var mailbox = list.Mailboxes.FirstOrDefault();
        if (mailbox?.Domain is not { Length: > 0 } domain) return null;
        try { return Core.Addressing.Mailbox.ToAscii(domain).ToLowerInvariant(); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>h=: each configured name as often as it occurs, From once more (oversigned, RFC 6376 §8.15).</summary>
    internal static List<string> SignedNames(IEnumerable<string> configured, ReadOnlySpan<byte> header, List<Range> fields)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in fields)
        {
            var name = Encoding.ASCII.GetString(DkimHeaderCanonicalizer.NameOf(header[f])).ToLowerInvariant();
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        var names = new List<string>();
        foreach (var name in configured.Select(h => h.Trim().ToLowerInvariant()).Distinct())
        {
            int n = counts.GetValueOrDefault(name) + (name == "from" ? 1 : 0);
            for (int i = 0; i < n; i++) names.Add(name);
        }
        if (!names.Contains("from")) names.InsertRange(0, ["from", "from"]);
        return names;
    }

    internal static string FoldedNames(List<string> names)
    {
        var text = new StringBuilder();
        int line = 3;
        for (int i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                if (line + names[i].Length > 70)
                {
                    text.Append("\r\n\t");
                    line = 1;
                }
                text.Append(':');
                line++;
            }
            text.Append(names[i]);
            line += names[i].Length;
        }
        return text.ToString();
    }

    /// <summary>A base64 value cut into lines of 72 characters (folding white space inside b= is ignored, RFC 6376 §3.5).</summary>
    internal static string Folded(string base64)
    {
        var text = new StringBuilder(base64.Length + base64.Length / 24);
        for (int i = 0; i < base64.Length; i += 72)
        {
            if (i > 0) text.Append("\r\n\t");
            text.Append(base64, i, Math.Min(72, base64.Length - i));
        }
        return text.ToString();
    }

    private KeySnapshot Keys()
    {
        var keys = _keys;
        if (_time.GetUtcNow() - keys.LoadedAt < _options.KeyReloadInterval) return keys;
        lock (_reloadLock)
        {
            if (_time.GetUtcNow() - _keys.LoadedAt >= _options.KeyReloadInterval) _keys = LoadKeys();
            return _keys;
        }
    }

    private KeySnapshot LoadKeys()
    {
        var problems = new List<string>();
        var byDomain = new Dictionary<string, List<DkimSigningKey>>(StringComparer.Ordinal);
        try
        {
            foreach (var key in _store.Load(problems))
            {
                if (!byDomain.TryGetValue(key.Domain, out var list)) byDomain[key.Domain] = list = new List<DkimSigningKey>();
                list.Add(key);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add(e.Message); }
        foreach (var p in problems) LogKeyUnreadable(p);
        return new KeySnapshot(byDomain, _time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: dkim: signed d={Domain} s={Selector} a={Algorithm}")]
    private partial void LogSigned(string queueId, string domain, string selector, string algorithm);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: dkim: not signed: the header section is longer than Dkim:MaxHeaderBytes ({Limit})")]
    private partial void LogHeaderTooLong(string queueId, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: dkim: signing with {Key} failed, sent unsigned: {Reason}")]
    private partial void LogSignFailed(string queueId, string key, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "dkim: key not usable: {Problem}")]
    private partial void LogKeyUnreadable(string problem);
}
