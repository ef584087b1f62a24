using System.Text.Json;
using Postbote.Admin;

namespace Postbote.Commands;

/// <summary>`postbote queue flush [--domain D | ID]`: deliver deferred mail now (postqueue -f / -s / -i).</summary>
public sealed class QueueFlushCommand : QueueCommandBase<QueueFlushSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueFlushSettings settings, CancellationToken ct)
    {
        if (settings.Id is not null && settings.Domain is not null)
        {
            await Console.Error.WriteLineAsync("postbote: give a queue id or --domain, not both");
            return ExitCodes.Usage;
        }
        if (settings.Id is { } id)
        {
            if (!ValidId(id)) return ExitCodes.Usage;
            return Report(await queue.FlushMessageAsync(id, ct), id, "scheduled for delivery now", settings.Json, "is on hold (release it first) or not in the active queue");
        }
        var (outcome, count) = await queue.FlushAsync(settings.Domain, ct);
        if (outcome == QueueOpOutcome.ServerDown)
        {
            if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(new { outcome = "serverdown", count = 0 }, JsonOutput));
            await Console.Error.WriteLineAsync("postbote: the server is not running: nothing to flush now; queued mail is delivered when it starts");
            return ExitCodes.Unavailable;
        }
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(new { outcome = "done", count }, JsonOutput));
        else Console.WriteLine($"{count} message{(count == 1 ? "" : "s")} scheduled for delivery now" + (settings.Domain is null ? "" : $" (domain {settings.Domain})"));
        return ExitCodes.Ok;
    }
}
