namespace Postbote.Core.Addressing;

/// <summary>Outcome of parsing a reverse- or forward-path.</summary>
public enum PathParseResult
{
    Ok,
    /// <summary>The null reverse-path "&lt;&gt;".</summary>
    Null,
    Invalid,
    TooLong,
}
