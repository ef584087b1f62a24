using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// The filters of one SMTP session, asked in order at each stage of the dialogue (Postfix smtpd_milters): connect,
/// HELO, MAIL, RCPT, DATA, and the message at its end (<see cref="EndOfMessageAsync"/>). The first filter that
/// refuses decides; one that accepts is asked no more (for the message or the whole session); one that fails or
/// times out is dropped for the session and its DefaultAction answers from then on.
/// </summary>
public sealed partial class FilterSession : IAsyncDisposable
{
    /// <summary>libmilter's SMFIS_REJECT and SMFIS_TEMPFAIL as Postfix words them.</summary>
    public static readonly SmtpReply Rejected = new(550, "5.7.1", "Command rejected");
    public static readonly SmtpReply TempFailed = new(451, "4.7.1", "Service unavailable - try again later");

    private readonly ContentFilters _filters;
    private readonly List<MilterLink> _links;
    private readonly ILogger _log;

    internal FilterSession(ContentFilters filters, List<MilterLink> links, FilterFacts facts)
    {
        _filters = filters;
        _links = links;
        _log = filters.Logger;
        Facts = facts;
    }

    public FilterFacts Facts { get; }
    /// <summary>rspamd checks this session's messages after the milters.</summary>
    internal bool AsksRspamd { get; init; }
    /// <summary>A filter discarded the current message: it is acknowledged and dropped.</summary>
    public bool MessageDiscarded { get; private set; }

    /// <summary>Connects to every filter and tells it of the client; a refusal holds for the whole session.</summary>
    public async ValueTask<SmtpReply?> ConnectAsync(CancellationToken ct)
    {
        foreach (var link in _links)
        {
            try
            {
                link.Client = await MilterClient.ConnectAsync(link.Options, link.Endpoint, ct).ConfigureAwait(false);
                LogNegotiated(link.Name, link.Client.Negotiated.Version, (uint)link.Client.Negotiated.Actions, (uint)link.Client.Negotiated.Steps);
            }
            catch (Exception e) when (IsFilterFailure(e))
            {
                Fail(link, "connect", e);
            }
        }
        var client = Facts.Client;
        var address = (client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address);
        return await EventAsync("CONNECT", MilterProtocol.MacroStage.Connect, MilterSteps.NoConnect, MilterSteps.NoReplyConnect, false,
            p => p.Start(MilterProtocol.Connect).String(Facts.ClientName ?? $"[{address}]")
                .Byte(address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)'6' : (byte)'4')
                .UInt16((ushort)client.Port).String(address.ToString()).End(), ct).ConfigureAwait(false);
    }

    public ValueTask<SmtpReply?> HeloAsync(string helo, CancellationToken ct)
    {
        Facts.Helo = helo;
        return EventAsync("HELO", MilterProtocol.MacroStage.Helo, MilterSteps.NoHelo, MilterSteps.NoReplyHelo, false,
            p => p.Start(MilterProtocol.Helo).String(helo).End(), ct);
    }

    /// <summary>MAIL FROM: the path as the client wrote it ("&lt;a@b&gt;", "&lt;&gt;") and its ESMTP parameters.</summary>
    public ValueTask<SmtpReply?> MailAsync(string sender, IReadOnlyList<string> parameters, CancellationToken ct)
    {
        Facts.Sender = sender;
        Facts.Recipient = null;
        MessageDiscarded = false;
        foreach (var link in _links) { link.MessageAccepted = false; link.InMessage = link.Active; }
        return EventAsync("MAIL", MilterProtocol.MacroStage.Mail, MilterSteps.NoMail, MilterSteps.NoReplyMail, true,
            p => WriteCommand(p.Start(MilterProtocol.Mail), "<" + sender + ">", parameters), ct);
    }

    public ValueTask<SmtpReply?> RcptAsync(string recipient, IReadOnlyList<string> parameters, CancellationToken ct)
    {
        Facts.Recipient = recipient;
        return EventAsync("RCPT", MilterProtocol.MacroStage.Rcpt, MilterSteps.NoRcpt, MilterSteps.NoReplyRcpt, true,
            p => WriteCommand(p.Start(MilterProtocol.Rcpt), "<" + recipient + ">", parameters), ct);
    }

    public ValueTask<SmtpReply?> DataAsync(CancellationToken ct) =>
        EventAsync("DATA", MilterProtocol.MacroStage.Data, MilterSteps.NoData, MilterSteps.NoReplyData, true,
            p => p.Start(MilterProtocol.Data).End(), ct);

    private static void WriteCommand(MilterPacketBuilder p, string path, IReadOnlyList<string> parameters)
    {
        p.String(path);
        foreach (var a in parameters) p.String(a);
        p.End();
    }

    /// <summary>The transaction ended without a message (RSET, a refusal, a new EHLO, the end of the session): SMFIC_ABORT.</summary>
    public async ValueTask AbortAsync()
    {
        MessageDiscarded = false;
        Facts.Sender = Facts.Recipient = Facts.QueueId = null;
        foreach (var link in _links)
        {
            bool tell = link.InMessage && link.Active;
            link.InMessage = link.MessageAccepted = false;
            if (!tell) continue;
            try
            {
                link.Client!.Packets.Start(MilterProtocol.Abort).End();
                using var deadline = new CancellationTokenSource(link.Options.CommandTimeout);
                await link.Client.SendAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsFilterFailure(e)) { Fail(link, "ABORT", e); }
        }
    }

    /// <summary>
    /// One SMTP event for every filter still taking part: its macros, the command, and (unless it negotiated no
    /// reply) its answer. Returns the first refusal, or null to go on.
    /// </summary>
    private async ValueTask<SmtpReply?> EventAsync(string stage, MilterProtocol.MacroStage macros, MilterSteps skip, MilterSteps noReply,
        bool messageStage, Action<MilterPacketBuilder> build, CancellationToken ct)
    {
        foreach (var link in _links)
        {
            if (link.Failed)
            {
                if (FailureReply(link) is { } failed) return failed;
                continue;
            }
            if (!link.Active || (messageStage && link.MessageAccepted)) continue;
            var client = link.Client!;
            var negotiated = client.Negotiated;
            if (negotiated.Has(skip)) continue;
            try
            {
                client.AddMacros(macros, Facts.MacrosFor(macros, negotiated));
                build(client.Packets);
                if (negotiated.Has(noReply))
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    deadline.CancelAfter(link.Options.CommandTimeout);
                    await client.SendAsync(deadline.Token).ConfigureAwait(false);
                    continue;
                }
                var reply = await client.ExchangeAsync(link.Options.CommandTimeout, ct).ConfigureAwait(false);
                if (Decide(link, stage, reply, messageStage) is { } refusal) return refusal;
                if (MessageDiscarded) return null;
            }
            catch (Exception e) when (IsFilterFailure(e))
            {
                client.Packets.Clear();
                Fail(link, stage, e);
                if (FailureReply(link) is { } failed) return failed;
            }
        }
        return null;
    }

    /// <summary>What a filter's answer to an event means: a refusal, or null (continue, accept, discard noted).</summary>
    private SmtpReply? Decide(MilterLink link, string stage, MilterPacket reply, bool messageStage)
    {
        switch (reply.Command)
        {
            case MilterProtocol.Continue:
            case MilterProtocol.Skip:
                return null;
            case MilterProtocol.Accept:
                if (messageStage) link.MessageAccepted = true;
                else link.SessionAccepted = true;
                return null;
            case MilterProtocol.Discard:
                if (messageStage)
                {
                    MessageDiscarded = true;
                    LogDiscard(link.Name, stage, Facts.QueueId ?? "NOQUEUE", ClientText);
                }
                else link.SessionAccepted = true; // libmilter: discard is meaningless before a message; taken as accept
                return null;
            case MilterProtocol.Reject:
                return Refuse(link, stage, Rejected);
            case MilterProtocol.TempFail:
            case MilterProtocol.ConnectionFailure:
            case MilterProtocol.Shutdown:
                if (reply.Command != MilterProtocol.TempFail) link.SessionAccepted = true; // it wants no more of this session
                return Refuse(link, stage, TempFailed);
            case MilterProtocol.ReplyCode:
                return Refuse(link, stage, MilterReplyCode.Parse(reply.Fields().String(required: false)));
            default:
                throw new MilterProtocolException($"unexpected response '{reply.CommandName}' to {stage}");
        }
    }

    private SmtpReply Refuse(MilterLink link, string stage, SmtpReply reply)
    {
        LogRefused(link.Name, stage, Facts.QueueId ?? "NOQUEUE", ClientText, reply.ToString().TrimEnd());
        return reply;
    }

    private string ClientText => (Facts.Client.Address.IsIPv4MappedToIPv6 ? Facts.Client.Address.MapToIPv4() : Facts.Client.Address).ToString();

    private static bool IsFilterFailure(Exception e) =>
        e is IOException or SocketException or TimeoutException or MilterProtocolException or EndOfStreamException or ObjectDisposedException;

    /// <summary>The filter is given up for this session: logged once, its connection closed.</summary>
    private void Fail(MilterLink link, string stage, Exception e)
    {
        link.Failed = true;
        LogFailed(link.Name, link.Options.Address ?? "", stage, Facts.QueueId ?? "NOQUEUE", ClientText, e.Message, link.Options.DefaultAction.ToString());
        var client = link.Client;
        link.Client = null;
        if (client is not null) _ = client.DisposeAsync().AsTask();
    }

    private static SmtpReply? FailureReply(MilterLink link) => link.Options.DefaultAction switch
    {
        FilterFailureAction.Accept => null,
        FilterFailureAction.Reject => Rejected,
        _ => TempFailed,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var link in _links)
        {
            if (link.Client is not { } client) continue;
            link.Client = null;
            await client.QuitAsync().ConfigureAwait(false);
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "milter {Name}: negotiated version {Version}, actions 0x{Actions:x}, steps 0x{Steps:x}")]
    private partial void LogNegotiated(string name, uint version, uint actions, uint steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{QueueId}: milter-reject: {Stage} from [{Client}]: {Reply}; milter={Name}")]
    private partial void LogRefused(string name, string stage, string queueId, string client, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: milter-discard: {Stage} from [{Client}]; milter={Name}")]
    private partial void LogDiscard(string name, string stage, string queueId, string client);

    [LoggerMessage(Level = LogLevel.Error, Message = "{QueueId}: milter {Name} ({Address}) failed at {Stage} for [{Client}]: {Reason}; default action {Action}")]
    private partial void LogFailed(string name, string address, string stage, string queueId, string client, string reason, string action);
}
