namespace Postbote.Core.Envelope;

/// <summary>A run of octets of a stored message, by offset and length (e.g. a header field omitted at delivery).</summary>
public sealed record ByteRange(long Offset, long Length);
