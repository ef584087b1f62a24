using Postbote.Admin;

namespace Postbote.Commands;

/// <summary>
/// `postbote queue bounce ID`: give up on a message now; its pending recipients fail with 5.0.0 and the sender
/// gets a DSN (postsuper -e, at once). Needs the running server, which sends the DSN.
/// </summary>
public sealed class QueueBounceCommand : QueueCommandBase<QueueIdSettings>
{
    protected override async Task<int> RunAsync(IQueueControl queue, QueueIdSettings settings, CancellationToken ct) =>
        !ValidId(settings.Id) ? ExitCodes.Usage
        : Report(await queue.BounceAsync(settings.Id, ct), settings.Id.ToUpperInvariant(), "returned to the sender", settings.Json, "is not active or on hold");
}
