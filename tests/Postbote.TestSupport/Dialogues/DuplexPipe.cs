using System.IO.Pipelines;

namespace Postbote.TestSupport.Dialogues;

/// <summary>One end of an in-memory connection: what it reads and where it writes.</summary>
public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;
    public PipeWriter Output { get; } = output;

    /// <summary>Two connected ends over a pair of <see cref="Pipe"/>s (Kestrel's InMemoryTransportConnection idea).</summary>
    public static (DuplexPipe Client, DuplexPipe Server) CreatePair()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        return (new DuplexPipe(toClient.Reader, toServer.Writer), new DuplexPipe(toServer.Reader, toClient.Writer));
    }
}
