using Postbote.Admin;

namespace Postbote.Commands;

/// <summary>`postbote queue hold ID`: keep a message from delivery until released (postsuper -h).</summary>
public sealed class QueueHoldCommand : QueueCommandBase<QueueIdSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueIdSettings settings, CancellationToken ct) =>
        !ValidId(settings.Id) ? ExitCodes.Usage
        : Report(await queue.HoldAsync(settings.Id, ct), settings.Id.ToUpperInvariant(), "placed on hold", settings.Json, "is already on hold or not in the active queue");
}
