using System.Text.Json;
using Postbote.Admin;
using Spectre.Console;

namespace Postbote.Commands;

/// <summary>`postbote queue delete ID... | --all`: remove messages without notice (postsuper -d), after confirmation.</summary>
public sealed class QueueDeleteCommand : QueueCommandBase<QueueDeleteSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueDeleteSettings settings, CancellationToken ct)
    {
        if (settings.All == settings.Ids.Length > 0)
        {
            await Console.Error.WriteLineAsync("postbote: give queue ids or --all");
            return ExitCodes.Usage;
        }
        foreach (var id in settings.Ids) if (!ValidId(id)) return ExitCodes.Usage;
        var ids = settings.All ? (await queue.ListAsync(ct)).Select(e => e.Id).ToList() : settings.Ids.ToList();
        if (ids.Count == 0)
        {
            Console.WriteLine(settings.Json ? "[]" : "Mail queue is empty");
            return ExitCodes.Ok;
        }
        if (!settings.Yes)
        {
            if (Console.IsInputRedirected)
            {
                await Console.Error.WriteLineAsync("postbote: not deleting without confirmation; add --yes");
                return ExitCodes.Usage;
            }
            if (!AnsiConsole.Confirm($"Delete {ids.Count} message{(ids.Count == 1 ? "" : "s")} without notice to the senders?", defaultValue: false))
                return ExitCodes.Ok;
        }
        int exit = ExitCodes.Ok, deleted = 0;
        var results = new List<object>();
        foreach (var id in ids)
        {
            var outcome = await queue.DeleteAsync(id, ct);
            results.Add(new { id, outcome = outcome.ToString().ToLowerInvariant() });
            if (outcome == QueueOpOutcome.Done)
            {
                deleted++;
                if (!settings.Json) Console.WriteLine($"{id}: deleted");
            }
            else
            {
                await Console.Error.WriteLineAsync($"postbote: {id}: no such message in the queue");
                exit = ExitCodes.NoInput;
            }
        }
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(results, JsonOutput));
        else Console.WriteLine($"postbote: Deleted: {deleted} message(s)");
        return exit;
    }
}
