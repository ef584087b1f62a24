using System.Net;
using System.Net.Sockets;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// One connection to one filter for one SMTP session: connect and negotiate (SMFIC_OPTNEG), then commands with
/// their macros, each waiting for the filter's reply unless it negotiated not to send one. Every wait is bounded
/// by the filter's timeouts; anything unexpected is a <see cref="MilterProtocolException"/>, a timeout a
/// <see cref="TimeoutException"/>, a dead peer an <see cref="IOException"/>: the caller applies the DefaultAction.
/// </summary>
public sealed class MilterClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly MilterPacketReader _reader;
    private readonly MilterPacketBuilder _out = new();

    private MilterClient(Socket socket, MilterOptions options)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new MilterPacketReader(_stream);
        Options = options;
    }

    public MilterOptions Options { get; }
    public MilterNegotiation Negotiated { get; private set; } = null!;

    /// <summary>Connects to the filter and negotiates, within its ConnectTimeout.</summary>
    public static async Task<MilterClient> ConnectAsync(MilterOptions options, EndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        MilterClient? client = null;
        using var timeout = Deadline(options.ConnectTimeout, cancellationToken);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            client = new MilterClient(socket, options);
            MilterNegotiation.WriteOffer(client._out);
            await client.SendAsync(timeout.Token).ConfigureAwait(false);
            client.Negotiated = MilterNegotiation.Parse(await client._reader.ReadAsync(timeout.Token).ConfigureAwait(false));
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(client, socket).ConfigureAwait(false);
            throw new TimeoutException($"no connection and negotiation within {options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch
        {
            await DisposeAsync(client, socket).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeAsync(MilterClient? client, Socket socket)
    {
        if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
        else socket.Dispose();
    }

    /// <summary>The packet builder for the next send; packets gathered here go out with <see cref="SendAsync"/>.</summary>
    public MilterPacketBuilder Packets => _out;

    /// <summary>Adds a SMFIC_MACRO packet for the stage's command with the macros that have a value (none: nothing is added).</summary>
    public void AddMacros(MilterProtocol.MacroStage stage, IReadOnlyList<KeyValuePair<string, string?>> macros)
    {
        bool any = false;
        foreach (var (name, value) in macros)
        {
            if (value is null) continue;
            if (!any)
            {
                _out.Start(MilterProtocol.Macro).Byte(MilterProtocol.CommandOf(stage));
                any = true;
            }
            _out.String(name.Length == 1 ? name : "{" + name.Trim('{', '}') + "}").String(value);
        }
        if (any) _out.End();
    }

    /// <summary>Writes what was gathered in <see cref="Packets"/>.</summary>
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var written = _out.Written;
        _out.Clear();
        if (written.Length > 0) await _stream.WriteAsync(written, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends what was gathered and reads the reply to it (progress packets restart the wait).</summary>
    public async ValueTask<MilterPacket> ExchangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(timeout, cancellationToken);
        try
        {
            await SendAsync(deadline.Token).ConfigureAwait(false);
            return await ReadAsync(deadline, timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no reply within {timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>The next packet that is not SMFIR_PROGRESS, within <paramref name="timeout"/> of the last one.</summary>
    public async ValueTask<MilterPacket> ReadReplyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(timeout, cancellationToken);
        try
        {
            return await ReadAsync(deadline, timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no reply within {timeout.TotalSeconds:0.###} s");
        }
    }

    private async ValueTask<MilterPacket> ReadAsync(CancellationTokenSource deadline, TimeSpan timeout)
    {
        // A filter that keeps saying "progress" keeps the wait alive, but only so often (bounded loop).
        for (int i = 0; i < 100_000; i++)
        {
            var packet = await _reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (packet.Command != MilterProtocol.Progress) return packet;
            deadline.CancelAfter(timeout);
        }
        throw new MilterProtocolException("too many progress packets");
    }

    /// <summary>Says goodbye (SMFIC_QUIT) without waiting; errors are ignored: the connection is going anyway.</summary>
    public async ValueTask QuitAsync()
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            _out.Clear();
            _out.Start(MilterProtocol.Quit).End();
            await SendAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    // Waits on a filter are real network waits: measured on the system clock (like Postfix's milter timeouts).
    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        return cts;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
