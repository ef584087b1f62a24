using System.Text.Json;
using Postbote.Admin;
using Spectre.Console;

namespace Postbote.Commands;

/// <summary>`postbote queue show ID`: the envelope, the stored headers and every recipient's state.</summary>
public sealed class QueueShowCommand : QueueCommandBase<QueueIdSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueIdSettings settings, CancellationToken ct)
    {
        if (!ValidId(settings.Id)) return ExitCodes.Usage;
        var e = await queue.ShowAsync(settings.Id, ct);
        if (e is null)
        {
            await Console.Error.WriteLineAsync($"postbote: {settings.Id}: no such message in the queue");
            return ExitCodes.NoInput;
        }
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(e, JsonOutput));
            return ExitCodes.Ok;
        }
        var envelope = new Grid().AddColumn().AddColumn();
        void Row(string k, string? v) => envelope.AddRow(new Text(k), new Text(v ?? ""));
        Row("Queue ID", e.Id);
        Row("State", e.State);
        Row("Arrival", e.Arrival.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz"));
        Row("Size", e.Size + " bytes");
        Row("Sender", e.Sender.Length == 0 ? "<>" : e.Sender);
        Row("Received", $"{e.Protocol} from {e.HeloName ?? "unknown"} [{e.ClientAddress}]" + (e.AuthenticatedUser is null ? "" : $", user {e.AuthenticatedUser}"));
        if (e.AcceptedBy is not null) Row("Accepted by", e.AcceptedBy);
        Row("Attempts", e.Attempts + (e.NextAttempt is { } n && e.State != "hold" ? $", next {n.ToLocalTime():yyyy-MM-dd HH:mm:ss}" : ""));
        AnsiConsole.Write(envelope);
        Console.WriteLine();
        var recipients = new Table().AddColumns("Recipient", "State", "Status", "Attempts", "Remote MTA", "Last reply");
        foreach (var r in e.Recipients)
            recipients.AddRow(Markup.Escape(r.Address + (r.OriginalAddress is { } o ? $" (for {o})" : "")), r.State, r.Status ?? "",
                r.Attempts.ToString(), Markup.Escape(r.RemoteMta ?? ""), Markup.Escape(r.LastReply ?? ""));
        AnsiConsole.Write(recipients);
        Console.WriteLine();
        foreach (var h in e.Headers ?? []) Console.WriteLine(h);
        return ExitCodes.Ok;
    }
}
