using System.Text.Json;
using Postbote.Admin;
using Spectre.Console;

namespace Postbote.Commands;

/// <summary>`postbote queue list`: what mailq shows, from the running server or the spool.</summary>
public sealed class QueueListCommand : QueueCommandBase<QueueListSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueListSettings settings, CancellationToken ct)
    {
        if (settings.State is { } s && s.ToLowerInvariant() is not ("active" or "deferred" or "hold" or "corrupt"))
        {
            await Console.Error.WriteLineAsync($"postbote: --state {s}: expected active, deferred, hold or corrupt");
            return ExitCodes.Usage;
        }
        var rows = (await queue.ListAsync(ct)).Where(e => e.Matches(settings.Sender, settings.Recipient, settings.Domain, settings.State)).ToList();
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows, JsonOutput));
            return ExitCodes.Ok;
        }
        if (rows.Count == 0)
        {
            Console.WriteLine("Mail queue is empty");
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Queue ID", "State", "Size", "Arrival", "Sender", "Recipients", "Last reply");
        foreach (var e in rows)
        {
            table.AddRow(Markup.Escape(e.Id), e.State, e.Size.ToString(), e.Arrival.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"),
                Markup.Escape(e.Sender.Length == 0 ? "<>" : e.Sender),
                Markup.Escape(string.Join("\n", e.Recipients.Select(r => r.Address + (r.State == "pending" ? "" : $" ({r.State})")))),
                Markup.Escape(e.LastReply ?? ""));
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"-- {rows.Sum(r => r.Size / 1024 + 1)} Kbytes in {rows.Count} Request{(rows.Count == 1 ? "" : "s")}."
            + (queue.ServerRunning ? "" : " (server not running: read from the spool)"));
        // Postfix's "delivery temporarily suspended": destinations the scheduler treats as dead, with their mail deferred.
        foreach (var d in (await queue.DestinationsAsync(ct)).Where(d => d.Dead))
            Console.WriteLine($"-- destination {d.NextHop} is dead until {d.DeadUntil?.ToLocalTime():yyyy-MM-dd HH:mm:ss} after {d.ConsecutiveFailures} failed sessions: {d.LastFailure}");
        return ExitCodes.Ok;
    }
}
