using System.Collections.Concurrent;
using Postbote.Delivery.Maildir;
using Postbote.Directory;
using Postbote.Smtpd;

namespace Postbote.Hosting;

/// <summary>
/// The RCPT-time quota check for Maildir mailboxes: the user's quota from the directory (else the default), the
/// usage measured as Maildir delivery measures it (Maildir++ sizes of new/ and cur/). Quota and usage are reused for
/// <see cref="Configuration.LocalDeliveryOptions.QuotaUsageCacheLifetime"/>, so a burst of RCPTs to one mailbox
/// measures it once. Domains delivered over LMTP are the LMTP server's business (Dovecot checks its own quota).
/// The cache holds one entry per local user asked about, replaced when stale.
/// </summary>
public sealed class MaildirMailboxQuota(
    MaildirDeliveryAgent maildir, IMailDirectory directory, long defaultQuotaBytes, Func<string, bool> isMaildirDomain,
    TimeSpan cacheLifetime, TimeProvider time) : IMailboxQuota
{
    /// <summary>The check as configured (LocalDelivery:QuotaCheckAtRcpt), or null when it is off.</summary>
    public static MaildirMailboxQuota? For(Configuration.ResolvedConfiguration config, IMailDirectory directory, MaildirDeliveryAgent maildir, TimeProvider time)
    {
        var o = config.Options.LocalDelivery;
        if (!o.QuotaCheckAtRcpt) return null;
        // As DeliveryComposition routes: with an LMTP server, its domains (all when none are listed) go there.
        var lmtpDomains = new HashSet<string>(string.IsNullOrEmpty(o.Lmtp) ? [] : o.LmtpDomains ?? [], StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(o.Lmtp) && lmtpDomains.Count == 0) lmtpDomains.Add("*");
        return new MaildirMailboxQuota(maildir, directory, o.QuotaBytes, d => !lmtpDomains.Contains("*") && !lmtpDomains.Contains(d),
            o.QuotaUsageCacheLifetime, time);
    }

    private readonly ConcurrentDictionary<string, (long Quota, long Usage, DateTimeOffset Measured)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public async ValueTask<bool> IsFullAsync(string address, long declaredSize, CancellationToken ct)
    {
        int at = address.LastIndexOf('@');
        if (at <= 0 || !isMaildirDomain(address[(at + 1)..])) return false;
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(address, out var known) || now - known.Measured >= cacheLifetime)
        {
            var user = await directory.FindUserAsync(address, ct).ConfigureAwait(false);
            long quota = user?.QuotaBytes ?? defaultQuotaBytes;
            var path = quota > 0 ? maildir.ResolvePath(address) : null;
            known = (quota, path is null ? 0 : MaildirWriter.MeasureUsage(path), now);
            _cache[address] = known;
        }
        return known.Quota > 0 && (known.Usage >= known.Quota || known.Usage + Math.Max(declaredSize, 0) > known.Quota);
    }
}
