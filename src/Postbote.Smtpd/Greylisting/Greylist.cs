using System.Collections.Concurrent;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd.Greylisting;

/// <summary>
/// The greylisting policy, postgrey's: whitelisted networks and known SPF-pass domains pass at once; otherwise the
/// triplet decides (new or early: defer; retried after the delay: pass, and the network's success count grows until
/// it is whitelisted). The session decides who is exempt (SmtpSession.Greylisting.cs). Whitelisted networks and known
/// domains are also held in memory for <see cref="MemoryLifetime"/>, so a whitelisted client costs one dictionary
/// read per session, not a database query per recipient. Reads the injected clock only.
/// </summary>
public sealed partial class Greylist
{
    /// <summary>How long a whitelisted network or known domain is trusted from memory before the database is asked again.</summary>
    public static readonly TimeSpan MemoryLifetime = TimeSpan.FromHours(1);
    private const int MemoryMaxEntries = 10_000;

    private readonly GreylistStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, long> _whitelisted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _knownDomains = new(StringComparer.OrdinalIgnoreCase);

    public Greylist(GreylistOptions options, GreylistStore store, TimeProvider time, ILogger log)
    {
        Options = options;
        _store = store;
        _time = time;
        _log = log;
    }

    public GreylistOptions Options { get; }
    public GreylistStore Store => _store;

    /// <summary>True when <paramref name="network"/> (see <see cref="GreylistTriplet.NetworkOf"/>) is auto-whitelisted.</summary>
    public bool IsWhitelisted(string network)
    {
        if (Options.AutoWhitelistAfter <= 0) return false;
        if (Remembered(_whitelisted, network)) return true;
        try
        {
            if (_store.Successes(network) < Options.AutoWhitelistAfter) return false;
            _store.Touch(network);
        }
        catch (SqliteException e)
        {
            LogStoreFailed(e.Message);
            return false;
        }
        Remember(_whitelisted, network);
        return true;
    }

    /// <summary>
    /// Decides for one recipient of an attempt from <paramref name="client"/>; <paramref name="spfPassDomain"/> is the
    /// MAIL FROM domain when its SPF result is pass, else null.
    /// </summary>
    public GreylistVerdict Check(IPAddress client, string sender, string recipient, string? spfPassDomain)
    {
        var triplet = GreylistTriplet.From(client, sender, recipient);
        if (IsWhitelisted(triplet.Network)) return new(GreylistDecision.Whitelisted);
        try
        {
            if (spfPassDomain is not null && Options.SkipSpfPassFromKnownDomains && IsKnownDomain(spfPassDomain))
                return new(GreylistDecision.KnownDomain);
            var state = _store.RecordAttempt(triplet);
            if (state.Status is TripletStatus.New or TripletStatus.Early)
            {
                LogDeferred(client, triplet.Network, sender, recipient, state.Status == TripletStatus.New ? "new" : "early retry", state.Seconds);
                return new(GreylistDecision.Defer, state.Seconds);
            }
            if (state.Status == TripletStatus.Retried) LogPassed(client, triplet.Network, sender, recipient, state.Seconds);
            if (Options.AutoWhitelistAfter > 0 && _store.CountSuccess(triplet.Network) == Options.AutoWhitelistAfter)
                LogWhitelisted(triplet.Network, Options.AutoWhitelistAfter);
            if (spfPassDomain is not null && Options.SkipSpfPassFromKnownDomains)
            {
                _store.RecordDomain(spfPassDomain);
                Remember(_knownDomains, spfPassDomain);
            }
            return new(GreylistDecision.Pass);
        }
        catch (SqliteException e)
        {
            LogStoreFailed(e.Message);
            return new(GreylistDecision.Unavailable);
        }
    }

    /// <summary>The 450 4.7.1 for a deferred recipient, saying how long to wait (Postfix's "Recipient address rejected" wording).</summary>
    public static SmtpReply DeferReply(string recipient, long retryAfterSeconds) =>
        new(450, "4.7.1", $"<{recipient}>: Recipient address rejected: Greylisted, try again in {Math.Max(1, retryAfterSeconds)} seconds");

    private bool IsKnownDomain(string domain)
    {
        if (Remembered(_knownDomains, domain)) return true;
        if (!_store.IsKnownDomain(domain)) return false;
        _store.RecordDomain(domain); // seen again: kept for another MaxAge
        Remember(_knownDomains, domain);
        return true;
    }

    private bool Remembered(ConcurrentDictionary<string, long> memory, string key)
    {
        if (!memory.TryGetValue(key, out long since)) return false;
        if (_time.GetElapsedTime(since) < MemoryLifetime) return true;
        memory.TryRemove(new KeyValuePair<string, long>(key, since));
        return false;
    }

    private void Remember(ConcurrentDictionary<string, long> memory, string key)
    {
        if (memory.Count >= MemoryMaxEntries) memory.Clear(); // the database still knows them: a full memory only costs queries
        memory[key] = _time.GetTimestamp();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "greylist: defer RCPT from [{Client}] ({Network}): from=<{Sender}> to=<{Recipient}>: {Why}, retry in {Seconds} s")]
    private partial void LogDeferred(IPAddress client, string network, string sender, string recipient, string why, long seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "greylist: pass RCPT from [{Client}] ({Network}): from=<{Sender}> to=<{Recipient}>: retried after {Seconds} s")]
    private partial void LogPassed(IPAddress client, string network, string sender, string recipient, long seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "greylist: network {Network} whitelisted after {Count} successful retries")]
    private partial void LogWhitelisted(string network, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "greylist: state unavailable, mail passes: {Reason}")]
    private partial void LogStoreFailed(string reason);
}
