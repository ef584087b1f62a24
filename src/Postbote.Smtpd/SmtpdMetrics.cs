using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>
/// The accept side's instruments (meter "Postbote"; documented in docs/metrics.md). Every tag list is built once
/// (per listener, verb, reply class, reason, mechanism), so that a session's increments allocate nothing.
/// </summary>
public sealed class SmtpdMetrics
{
    private static readonly string[] VerbNames = Enum.GetNames<SmtpVerb>().Select(n => n.ToUpperInvariant()).ToArray();
    private static readonly string[] ReplyClasses = { "1xx", "2xx", "3xx", "4xx", "5xx" };

    private readonly Counter<long> _connections, _sessions, _commands, _received, _bytes, _rejects, _auth;
    private readonly UpDownCounter<long> _current;
    private readonly KeyValuePair<string, object?>[][] _commandTags; // [verb * 5 + class]
    private readonly ConcurrentDictionary<string, KeyValuePair<string, object?>[]> _listenerTags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), KeyValuePair<string, object?>[]> _pairTags = new();
    private readonly FrozenDictionary<SmtpReply, KeyValuePair<string, object?>[]> _rejectTags;
    private readonly KeyValuePair<string, object?>[] _otherReject;

    /// <param name="meters">The server's meter factory (its meters are what /metrics shows); null: a meter of its own, seen by nobody unless listened to.</param>
    public SmtpdMetrics(IMeterFactory? meters = null)
    {
        var meter = meters?.Create("Postbote") ?? new Meter("Postbote");
        _connections = meter.CreateCounter<long>("postbote.smtpd.connections", "{connection}", "SMTP connections accepted, by listener");
        _current = meter.CreateUpDownCounter<long>("postbote.smtpd.connections.active", "{connection}", "SMTP connections open now, by listener");
        _sessions = meter.CreateCounter<long>("postbote.smtpd.sessions.ended", "{session}", "SMTP sessions ended, by listener and reason");
        _commands = meter.CreateCounter<long>("postbote.smtpd.commands", "{command}", "SMTP command replies, by verb and reply class");
        _received = meter.CreateCounter<long>("postbote.messages.received", "{message}", "Messages accepted by smtpd (250 after DATA/BDAT), by listener");
        _bytes = meter.CreateCounter<long>("postbote.received", "By", "Message bytes accepted by smtpd, as stored (dot-stuffing undone)");
        _rejects = meter.CreateCounter<long>("postbote.smtpd.rejects", "{reply}", "Refusals of a sender, recipient or message, by reason");
        _auth = meter.CreateCounter<long>("postbote.smtpd.auth", "{attempt}", "SASL AUTH attempts, by mechanism and result");

        _commandTags = new KeyValuePair<string, object?>[VerbNames.Length * ReplyClasses.Length][];
        for (int v = 0; v < VerbNames.Length; v++)
            for (int c = 0; c < ReplyClasses.Length; c++)
                _commandTags[v * ReplyClasses.Length + c] = new[] { Tag("verb", VerbNames[v]), Tag("class", ReplyClasses[c]) };

        var reasons = new Dictionary<SmtpReply, string>(ReferenceEqualityComparer.Instance)
        {
            [SmtpReplies.RelayDenied] = "relay",
            [SmtpReplies.UserUnknown] = "recipient",
            [SmtpReplies.MessageTooBig] = "size",
            [SmtpReplies.TooManyChunks] = "size",
            [SmtpReplies.TooManyRecipients] = "recipient_limit",
            [SmtpReplies.MailboxFull] = "mailbox_full",
            [SmtpReplies.MailLoop] = "loop",
            [SmtpReplies.SenderNotOwned] = "sender",
            [SmtpReplies.FromHeaderNotOwned] = "sender",
            [SmtpReplies.SenderHeaderNotOwned] = "sender",
            [SmtpReplies.SeveralFromFields] = "content",
            [SmtpReplies.SeveralSenderFields] = "content",
            [SmtpReplies.AuthorFieldsUnjudgeable] = "content",
            [SmtpReplies.BareLineEnding] = "content",
            [SmtpReplies.LongLines] = "content",
            [SmtpReplies.AuthRequired] = "auth_required",
            [SmtpReplies.MustIssueStartTls] = "tls_required",
            [SmtpReplies.InsufficientStorage] = "storage",
            [SmtpReplies.LocalError] = "storage",
            [SmtpReplies.TooManyConnections] = "connection_limit",
            [SmtpReplies.AliasExpansionLimit] = "recipient",
        };
        _rejectTags = reasons.ToFrozenDictionary(p => p.Key, p => new[] { Tag("reason", p.Value) }, (IEqualityComparer<SmtpReply>)ReferenceEqualityComparer.Instance);
        _otherReject = new[] { Tag("reason", "other") };
    }

    public void Connected(string listener)
    {
        var tags = ListenerTags(listener);
        _connections.Add(1, tags);
        _current.Add(1, tags);
    }

    public void SessionEnded(string listener, string reason)
    {
        _current.Add(-1, ListenerTags(listener));
        _sessions.Add(1, PairTags("listener", listener, "reason", reason));
    }

    /// <summary>One reply to a command: counted by verb and class; a policy refusal (4xx/5xx) also by reason.</summary>
    public void Replied(SmtpVerb verb, SmtpReply reply)
    {
        int cls = Math.Clamp(reply.Code / 100, 1, 5) - 1;
        int v = (int)verb;
        if ((uint)v < (uint)VerbNames.Length) _commands.Add(1, _commandTags[v * ReplyClasses.Length + cls]);
        if (reply.Code < 400) return;
        if (_rejectTags.TryGetValue(reply, out var reason)) _rejects.Add(1, reason);
        else if (verb is SmtpVerb.Mail or SmtpVerb.Rcpt or SmtpVerb.Data or SmtpVerb.Bdat && reply.Code is not (503 or 501 or 500 or 555))
            _rejects.Add(1, _otherReject); // a policy answer not named above (a filter, DNSBL or DMARC refusal); syntax errors are not refusals
    }

    public void MessageReceived(string listener, long size)
    {
        _received.Add(1, ListenerTags(listener));
        _bytes.Add(size);
    }

    public void Authenticated(string mechanism, bool success) =>
        _auth.Add(1, PairTags("mechanism", mechanism, "result", success ? "success" : "failure"));

    private KeyValuePair<string, object?>[] ListenerTags(string listener) =>
        _listenerTags.GetOrAdd(listener, static l => new[] { Tag("listener", l) });

    private KeyValuePair<string, object?>[] PairTags(string k1, string v1, string k2, string v2) =>
        _pairTags.GetOrAdd((v1, v2), static (key, names) => new[] { Tag(names.k1, key.Item1), Tag(names.k2, key.Item2) }, (k1, k2));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
