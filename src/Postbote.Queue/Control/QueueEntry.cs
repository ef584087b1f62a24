using Postbote.Core.Envelope;

namespace Postbote.Queue.Control;

/// <summary>
/// A queued message as the admin API and the CLI show it (the JSON of <c>queue list --json</c> and <c>queue show --json</c>).
/// <see cref="State"/> is "active" (never tried), "deferred" (tried, waiting for a retry), "hold" or "corrupt".
/// <see cref="Headers"/> is filled only for <c>show</c>.
/// </summary>
public sealed record QueueEntry(string Id, string State, long Size, DateTimeOffset Arrival, string Sender, string Protocol,
    string ClientAddress, string? HeloName, string? AuthenticatedUser, int Attempts, DateTimeOffset? NextAttempt, string? LastReply,
    IReadOnlyList<QueueRecipientEntry> Recipients, IReadOnlyList<string>? Headers = null, string? AcceptedBy = null)
{
    public static QueueEntry From(QueuedMessage env, QueueState state, IReadOnlyList<string>? headers = null) => new(
        env.QueueId,
        state switch { QueueState.Hold => "hold", QueueState.Corrupt => "corrupt", _ => env.Attempts == 0 ? "active" : "deferred" },
        env.Size, env.ArrivalTime, env.ReversePath, env.Protocol, env.ClientAddress, env.HeloName, env.AuthenticatedUser, env.Attempts,
        env.NextAttempt,
        env.Recipients.Where(r => !r.IsDone).Select(r => r.Diagnostic).FirstOrDefault(d => d is not null)
            ?? env.Recipients.Select(r => r.Diagnostic).LastOrDefault(d => d is not null),
        env.Recipients.Select(QueueRecipientEntry.From).ToList(), headers, env.AcceptedBy);

    /// <summary>True when the entry passes the filters of <c>queue list</c> (all case-insensitive; null = no filter).</summary>
    public bool Matches(string? sender, string? recipient, string? domain, string? state) =>
        (sender is null || Sender.Contains(sender, StringComparison.OrdinalIgnoreCase))
        && (recipient is null || Recipients.Any(r => r.Address.Contains(recipient, StringComparison.OrdinalIgnoreCase)))
        && (domain is null || Recipients.Any(r => r.Address.EndsWith("@" + domain.TrimStart('@'), StringComparison.OrdinalIgnoreCase)))
        && (state is null || string.Equals(State, state, StringComparison.OrdinalIgnoreCase));
}
