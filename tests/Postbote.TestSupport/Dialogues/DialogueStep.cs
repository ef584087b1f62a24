using System.Text.RegularExpressions;

namespace Postbote.TestSupport.Dialogues;

/// <summary>One line of a dialogue script, with its line number for error messages.</summary>
public abstract record DialogueStep(int LineNumber)
{
    /// <summary><c>C: text</c> (CRLF appended) or <c>C&lt;: text</c> (sent as is): bytes the client sends.</summary>
    public sealed record ClientSends(int LineNumber, byte[] Bytes, string Source) : DialogueStep(LineNumber);

    /// <summary><c>S: 250 2.0.0 Ok</c>: the next server line, exactly (without its CRLF).</summary>
    public sealed record ServerLine(int LineNumber, string Expected) : DialogueStep(LineNumber);

    /// <summary><c>S~ regex</c>: the next server line matches the whole regular expression.</summary>
    public sealed record ServerMatches(int LineNumber, Regex Pattern) : DialogueStep(LineNumber);

    /// <summary><c>S! closed</c>: the server closes the connection (no further line).</summary>
    public sealed record ServerCloses(int LineNumber) : DialogueStep(LineNumber);
}
