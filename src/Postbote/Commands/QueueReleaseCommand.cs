using Postbote.Admin;

namespace Postbote.Commands;

/// <summary>`postbote queue release ID`: release a held message for delivery (postsuper -H).</summary>
public sealed class QueueReleaseCommand : QueueCommandBase<QueueIdSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueIdSettings settings, CancellationToken ct) =>
        !ValidId(settings.Id) ? ExitCodes.Usage
        : Report(await queue.ReleaseAsync(settings.Id, ct), settings.Id.ToUpperInvariant(), "released from hold", settings.Json, "is not on hold");
}
