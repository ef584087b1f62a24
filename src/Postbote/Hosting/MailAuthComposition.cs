using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.Dns;
using Postbote.MailAuth;
using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Dmarc;

namespace Postbote.Hosting;

/// <summary>
/// The end-of-DATA checks of a configuration (MailAuth:DkimVerifyEnabled, MailAuth:DmarcEnabled) and the Public Suffix
/// List they need, loaded once. Shared by `serve` and `postbote auth check`.
/// </summary>
public static class MailAuthComposition
{
    /// <summary>The checks, or null when both DKIM verification and DMARC are off.</summary>
    public static MessageAuthenticator? CreateChecks(ResolvedConfiguration config, DnsResolver dns, TimeProvider time, ILogger log)
    {
        var o = config.Options.MailAuth;
        if (!o.EndOfDataChecks) return null;
        var dkim = o.DkimVerifyEnabled ? new DkimVerifier(dns, time, o.DkimMaxSignatures) : null;
        var dmarc = o.DmarcEnabled ? new DmarcEvaluator(dns, LoadSuffixes(o, log)) : null;
        return new MessageAuthenticator(o, dkim, dmarc, config.Options.Dkim.MaxHeaderBytes, time);
    }

    /// <summary>
    /// The list at MailAuth:PublicSuffixList. Missing at the default path: the last two labels, with a warning (the
    /// configuration check already refused a missing path that was set explicitly); empty: no list, said once too.
    /// </summary>
    public static PublicSuffixList LoadSuffixes(MailAuthOptions o, ILogger log)
    {
        if (o.PublicSuffixList.Length > 0 && File.Exists(o.PublicSuffixList))
        {
            var list = PublicSuffixList.Load(o.PublicSuffixList);
            log.LogInformation("dmarc: {Rules} public suffix rules from {Path}", list.RuleCount, o.PublicSuffixList);
            return list;
        }
        log.LogWarning("dmarc: no public suffix list ({Path}): organisational domains are taken as the last two labels, wrong for names under co.uk and the like; install the publicsuffix package or set MailAuth:PublicSuffixList",
            o.PublicSuffixList.Length == 0 ? "MailAuth:PublicSuffixList is empty" : o.PublicSuffixList + " not found");
        return PublicSuffixList.Empty;
    }
}
