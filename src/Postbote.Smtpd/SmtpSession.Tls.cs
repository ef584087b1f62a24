using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.Smtpd.Tls;

namespace Postbote.Smtpd;

public sealed partial class SmtpSession
{
    /// <summary>Checks a STARTTLS command; null means go ahead (220 then handshake).</summary>
    private SmtpReply? StartTlsCommand(string argument)
    {
        if (argument.Length != 0) return SmtpReplies.NoArguments("STARTTLS");
        if (_tls is not null) return SmtpReplies.TlsAlreadyActive;
        if (_services.Certificates is null) return SmtpReplies.TlsNotAvailable;
        return RateLimitNewTls();
    }

    /// <summary>
    /// The one TLS path for STARTTLS (RFC 3207) and port 465 (RFC 8314): handshake under its own timeout,
    /// swap the session's reader and writer for the TLS ones, and forget everything learned before (EHLO, AUTH,
    /// the transaction). Plaintext buffered before the handshake was already discarded by the caller.
    /// </summary>
    private async ValueTask<bool> StartTlsAsync()
    {
        var ssl = new SslStream(new DuplexPipeStream(_transport), leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(_limits.TlsHandshakeTimeout, _services.Time);
        try
        {
            await ssl.AuthenticateAsServerAsync(_services.Certificates!.ServerOptions(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            LogTlsFailed(ClientAddress, e is OperationCanceledException ? "handshake timeout" : e.GetBaseException().Message);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        _tls = ssl;
        _reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _writer = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
        await AbortTransactionAsync().ConfigureAwait(false);
        _helo = null;
        _esmtp = false;
        _authUser = null;
        LogTlsEstablished(ClientAddress, TlsProtocolName(ssl), ssl.NegotiatedCipherSuite.ToString());
        return true;
    }

    private static string TlsProtocolName(SslStream ssl) => ssl.SslProtocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        var p => p.ToString(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS handshake failed with [{Client}]: {Reason}")]
    private partial void LogTlsFailed(System.Net.IPAddress client, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS established with [{Client}]: {Protocol} with cipher {Cipher}")]
    private partial void LogTlsEstablished(System.Net.IPAddress client, string protocol, string cipher);
}
