using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Postbote.TestSupport.Dialogues;

/// <summary>
/// The client end of an in-memory SMTP connection: sends bytes in a chosen <see cref="FeedMode"/> and reads
/// server lines, each read bounded by a timeout (no sleeps; a hung server fails the test instead of the run).
/// </summary>
public sealed class LineClient(IDuplexPipe pipe, TimeSpan? readTimeout = null)
{
    private readonly TimeSpan _timeout = readTimeout ?? TimeSpan.FromSeconds(15);

    public IDuplexPipe Pipe { get; } = pipe;
    /// <summary>Everything read so far, for failure messages.</summary>
    public StringBuilder Transcript { get; } = new();

    public async Task SendAsync(byte[] bytes, FeedMode mode = FeedMode.Whole)
    {
        Transcript.Append("C: ").Append(Printable(bytes)).Append('\n');
        if (mode == FeedMode.BytePerFlush)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                var r = await Pipe.Output.WriteAsync(bytes.AsMemory(i, 1)).ConfigureAwait(false);
                if (r.IsCompleted) return; // the server went away; the script says whether that was expected
            }
            return;
        }
        await Pipe.Output.WriteAsync(bytes).ConfigureAwait(false);
    }

    public Task SendLineAsync(string line) => SendAsync(Encoding.UTF8.GetBytes(line + "\r\n"));

    /// <summary>The next line from the server without its CRLF, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(_timeout);
        while (true)
        {
            ReadResult result;
            try { result = await Pipe.Input.ReadAsync(cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no server line within {_timeout.TotalSeconds} s. Transcript:\n{Transcript}");
            }
            var buffer = result.Buffer;
            var lf = buffer.PositionOf((byte)'\n');
            if (lf is not null)
            {
                var bytes = buffer.Slice(0, lf.Value).ToArray();
                Pipe.Input.AdvanceTo(buffer.GetPosition(1, lf.Value));
                if (bytes.Length == 0 || bytes[^1] != (byte)'\r')
                    throw new InvalidDataException($"server line not ended by CRLF: \"{Printable(bytes)}\"");
                var line = Encoding.UTF8.GetString(bytes, 0, bytes.Length - 1);
                Transcript.Append("S: ").Append(line).Append('\n');
                return line;
            }
            if (result.IsCompleted)
            {
                Pipe.Input.AdvanceTo(buffer.End);
                if (!buffer.IsEmpty) throw new InvalidDataException($"server closed after a partial line: \"{Printable(buffer.ToArray())}\"");
                Transcript.Append("S! closed\n");
                return null;
            }
            Pipe.Input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads a (possibly multiline) reply: lines up to the one with a space after the code.</summary>
    public async Task<List<string>> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync().ConfigureAwait(false) ?? throw new InvalidDataException("server closed in the middle of a reply. Transcript:\n" + Transcript);
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-') return lines;
        }
    }

    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        int shown = Math.Min(bytes.Length, 300);
        foreach (byte b in bytes[..shown])
        {
            sb.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                < 32 or >= 127 => $"\\x{b:X2}",
                _ => ((char)b).ToString(),
            });
        }
        if (shown < bytes.Length) sb.Append($"...({bytes.Length} bytes)");
        return sb.ToString();
    }
}
