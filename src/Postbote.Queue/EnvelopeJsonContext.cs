using System.Text.Json.Serialization;
using Postbote.Core.Envelope;

namespace Postbote.Queue;

/// <summary>Source-generated JSON for envelope files (no reflection on the accept path).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QueuedMessage))]
internal sealed partial class EnvelopeJsonContext : JsonSerializerContext
{
}
