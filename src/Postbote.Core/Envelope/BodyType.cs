namespace Postbote.Core.Envelope;

/// <summary>MAIL BODY= of RFC 6152 / RFC 3030.</summary>
public enum BodyType
{
    SevenBit,
    EightBitMime,
    BinaryMime,
}
