using System.Text.Json.Serialization;

namespace Postbote.Sendmail;

/// <summary>A queued message as <c>GET /v1/queue</c> and `postbote queue list --json` give it (the fields mailq shows).</summary>
public sealed record MailqEntry(string Id, string State, long Size, DateTimeOffset Arrival, string Sender, string? LastReply,
    IReadOnlyList<MailqRecipient> Recipients);

/// <summary>One recipient of a <see cref="MailqEntry"/>; State is pending, delivered, bounced or expired.</summary>
public sealed record MailqRecipient(string Address, string State, string? LastReply);

/// <summary>A destination as <c>GET /v1/queue/destinations</c> gives it.</summary>
public sealed record MailqDestination(string NextHop, bool Dead, DateTimeOffset? DeadUntil, int ConsecutiveFailures, string? LastFailure);

/// <summary>Source-generated (de)serialisation: no reflection, so it compiles to native code.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<MailqEntry>))]
[JsonSerializable(typeof(List<MailqDestination>))]
public sealed partial class MailqJson : JsonSerializerContext;
