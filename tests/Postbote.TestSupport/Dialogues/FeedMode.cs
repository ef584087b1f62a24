namespace Postbote.TestSupport.Dialogues;

/// <summary>How a <see cref="DialogueRunner"/> hands the client's bytes to the server (EXAMPLES.md pattern 9).</summary>
public enum FeedMode
{
    /// <summary>All client lines of a group in one write and one flush, before any reply is read (pipelining).</summary>
    Whole,
    /// <summary>One write and flush per client line.</summary>
    LineByLine,
    /// <summary>One byte per write and flush, to expose bugs at segment boundaries (Kestrel's StreamBackedTestConnection).</summary>
    BytePerFlush,
}
