using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// One outbound SMTP or LMTP connection: connect, greeting, EHLO (HELO fallback) or LHLO, STARTTLS or implicit TLS,
/// AUTH, then any number of mail transactions (<see cref="SendAsync"/>, RSET between them) so a queue manager can
/// reuse it. <see cref="DisposeAsync"/> sends QUIT and closes.
/// </summary>
public sealed partial class SmtpClientConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SmtpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly SmtpLineReader _reader;
    private Stream _stream;
    private bool _needsReset;
    private bool _disposed;
    private CancellationTokenSource _timeouts;

    private SmtpClientConnection(Socket socket, SmtpEndpoint endpoint, SmtpClientOptions options, TimeProvider time, ILogger? logger)
    {
        _socket = socket;
        Endpoint = endpoint;
        _options = options;
        _time = time;
        _timeouts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _logger = logger;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new SmtpLineReader(_stream, options.MaxReplyLineLength);
    }

    /// <summary>Where this connection goes.</summary>
    public SmtpEndpoint Endpoint { get; }

    /// <summary>"host[ip]:port", for results and the mail log.</summary>
    public string RemoteMta => _remoteMta ??= Endpoint.RemoteMta;
    private string? _remoteMta;

    /// <summary>The extensions of the last EHLO/LHLO (after STARTTLS, the second one).</summary>
    public SmtpCapabilities Capabilities { get; private set; } = SmtpCapabilities.None;

    /// <summary>The greeting reply.</summary>
    public SmtpReply? Greeting { get; private set; }

    /// <summary>True when the session runs over TLS.</summary>
    public bool IsTls => _stream is SslStream;

    /// <summary>The negotiated TLS protocol, or null.</summary>
    public SslProtocols? TlsProtocol => (_stream as SslStream)?.SslProtocol;

    /// <summary>The negotiated cipher suite, or null.</summary>
    public TlsCipherSuite? TlsCipher => (_stream as SslStream)?.NegotiatedCipherSuite;

    /// <summary>
    /// Over TLS: true when the peer's certificate chains to a trust anchor and carries a match name
    /// (<see cref="SmtpClientOptions.CertificateMatch"/>), whether or not the policy demanded it.
    /// </summary>
    public bool IsCertificateVerified => IsTls && _certificateProblem is null;

    /// <summary>How this session is secured, for the results' <see cref="RecipientResult.Tls"/>; set once the session is ready for MAIL.</summary>
    public TransportSecurity Security { get; private set; } = TransportSecurity.Plaintext;

    /// <summary>Over TLS: why the certificate does not verify (null when it does).</summary>
    public string? CertificateProblem => IsTls ? _certificateProblem : null;
    private string? _certificateProblem = NotChecked;
    private const string NotChecked = "certificate not checked";

    /// <summary>The SASL mechanism used to authenticate, or null.</summary>
    public string? AuthenticatedMechanism { get; private set; }

    /// <summary>False after a timeout, I/O error or protocol error: the connection must not be reused.</summary>
    public bool IsUsable { get; private set; } = true;

    /// <summary>Mail transactions attempted on this connection.</summary>
    public int TransactionCount { get; private set; }

    /// <summary>
    /// Connects and runs the session up to "ready for MAIL": greeting, EHLO/LHLO, TLS per policy, AUTH when an
    /// authenticator is given.
    /// </summary>
    /// <exception cref="SmtpSessionException">Any failure; try the next host.</exception>
    public static async Task<SmtpClientConnection> OpenAsync(SmtpEndpoint endpoint, SmtpClientOptions options,
        ISmtpClientAuthenticator? authenticator = null, TimeProvider? timeProvider = null, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        var time = timeProvider ?? TimeProvider.System;
        var socket = await ConnectSocketAsync(endpoint, options, time, cancellationToken).ConfigureAwait(false);
        var connection = new SmtpClientConnection(socket, endpoint, options, time, logger);
        try
        {
            await connection.HandshakeAsync(authenticator, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<Socket> ConnectSocketAsync(SmtpEndpoint endpoint, SmtpClientOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var isUnix = endpoint.EndPoint is UnixDomainSocketEndPoint;
        var socket = new Socket(endpoint.EndPoint.AddressFamily, SocketType.Stream, isUnix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        using var timeoutSource = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            if (!isUnix)
                socket.NoDelay = true;
            await socket.ConnectAsync(endpoint.EndPoint, linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SmtpSessionException(false, "4.4.1", $"connect to {endpoint.RemoteMta}: timed out");
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new SmtpSessionException(false, "4.4.1", $"connect to {endpoint.RemoteMta}: {ex.SocketErrorCode}", inner: ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task HandshakeAsync(ISmtpClientAuthenticator? authenticator, CancellationToken cancellationToken)
    {
        if (_options.ImplicitTls)
            await UpgradeToTlsAsync(_options.VerifyCertificate, cancellationToken).ConfigureAwait(false);

        Greeting = await ReadReplyAsync(_options.GreetingTimeout, "receiving the initial server greeting", cancellationToken).ConfigureAwait(false);
        if (!Greeting.IsPositiveCompletion)
            throw SessionFailure(Greeting, "host refused to talk to me");

        await HelloAsync(cancellationToken).ConfigureAwait(false);

        if (!IsTls && _options.Tls != TlsPolicy.None)
        {
            if (!Capabilities.StartTls)
            {
                if (_options.Tls == TlsPolicy.Required)
                    throw new SmtpSessionException(false, "4.7.5", $"TLS is required{PolicyNote}, but {RemoteMta} does not offer STARTTLS") { TlsFailure = "not_offered" };
            }
            else
            {
                var reply = await CommandAsync("STARTTLS", _options.StartTlsTimeout, "sending STARTTLS", cancellationToken).ConfigureAwait(false);
                if (reply.Code == 220)
                {
                    if (_reader.HasBufferedData)
                        throw new SmtpSessionException(false, "4.5.0", $"protocol error: {RemoteMta} sent data after 220 to STARTTLS");
                    var verify = _options.Tls == TlsPolicy.Required && _options.VerifyCertificate;
                    await UpgradeToTlsAsync(verify, cancellationToken).ConfigureAwait(false);
                    await HelloAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (_options.Tls == TlsPolicy.Required)
                {
                    throw new SmtpSessionException(false, "4.7.5", $"TLS is required{PolicyNote}, but {RemoteMta} refused STARTTLS: {reply}", reply) { TlsFailure = "not_offered" };
                }
            }
        }

        if (authenticator is not null)
            await AuthenticateAsync(authenticator, cancellationToken).ConfigureAwait(false);
        if (_stream is SslStream ssl)
            Security = new TransportSecurity(IsCertificateVerified ? "verified" : "opportunistic", ProtocolName(ssl.SslProtocol), ssl.NegotiatedCipherSuite.ToString());
    }

    /// <summary>Postfix's spelling of a protocol version in logs: TLSv1.3, TLSv1.2.</summary>
    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private async Task HelloAsync(CancellationToken cancellationToken)
    {
        var verb = _options.Lmtp ? "LHLO" : "EHLO";
        var reply = await CommandAsync($"{verb} {_options.HeloName}", _options.HeloTimeout, $"sending {verb}", cancellationToken).ConfigureAwait(false);
        if (reply.IsPositiveCompletion)
        {
            Capabilities = SmtpCapabilities.Parse(reply);
            return;
        }
        if (_options.Lmtp || !reply.IsPermanentNegative || IsTls)
            throw SessionFailure(reply, $"{verb} rejected");
        reply = await CommandAsync($"HELO {_options.HeloName}", _options.HeloTimeout, "sending HELO", cancellationToken).ConfigureAwait(false);
        if (!reply.IsPositiveCompletion)
            throw SessionFailure(reply, "HELO rejected");
        Capabilities = SmtpCapabilities.None;
    }

    private async Task UpgradeToTlsAsync(bool verify, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var authOptions = new SslClientAuthenticationOptions
        {
            TargetHost = _options.TlsTargetHost ?? Endpoint.HostName,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
        // The certificate is always judged (for the log and learned levels); it fails the handshake only when required.
        var patterns = _options.CertificateMatch ?? [authOptions.TargetHost];
        var anchors = _options.TrustAnchors;
        authOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            _certificateProblem = Tls.CertificateVerifier.Check(certificate, chain, errors, patterns, anchors);
            return !verify || _certificateProblem is null;
        };
        try
        {
            await GuardAsync(async token =>
            {
                await ssl.AuthenticateAsClientAsync(authOptions, token).ConfigureAwait(false);
                return 0;
            }, _options.StartTlsTimeout, "negotiating TLS", cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpSessionException ex) when (ex.InnerException is AuthenticationException or IOException)
        {
            // Any handshake failure (bad certificate, no common cipher, garbage or EOF instead of a ServerHello) is a TLS failure.
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (verify && _certificateProblem is { } problem && !ReferenceEquals(problem, NotChecked))
                throw new SmtpSessionException(false, "4.7.5", $"server certificate of {RemoteMta} not verified{PolicyNote}: {problem}", inner: ex.InnerException) { TlsFailure = "not_verified" };
            throw new SmtpSessionException(false, "4.7.5", $"TLS handshake with {RemoteMta} failed: {ex.InnerException.Message}", inner: ex.InnerException) { TlsFailure = "failed" };
        }
        _stream = ssl;
        _reader.Stream = ssl;
        _logger?.LogDebug("{Remote} TLS established: {Protocol} {Cipher}", RemoteMta, ssl.SslProtocol, ssl.NegotiatedCipherSuite);
    }

    private async Task AuthenticateAsync(ISmtpClientAuthenticator authenticator, CancellationToken cancellationToken)
    {
        var mechanism = authenticator.Mechanisms.FirstOrDefault(m => Capabilities.AuthMechanisms.Contains(m));
        if (mechanism is null)
        {
            throw new SmtpSessionException(false, "4.7.4",
                $"cannot authenticate to {RemoteMta}: no common SASL mechanism (offered: {string.Join(" ", Capabilities.AuthMechanisms)})");
        }
        var exchange = authenticator.Begin(mechanism);
        var initial = exchange.InitialResponse;
        var command = initial is null ? $"AUTH {mechanism}" : $"AUTH {mechanism} {(initial.Length == 0 ? "=" : Convert.ToBase64String(initial))}";
        var reply = await CommandAsync(command, _options.AuthTimeout, "authenticating", cancellationToken, secret: true).ConfigureAwait(false);
        for (var step = 0; reply.Code == 334 && step < 16; step++)
        {
            byte[] challenge;
            try
            {
                challenge = Convert.FromBase64String(reply.Lines[0].Trim());
            }
            catch (FormatException)
            {
                QueueCommand("*");
                await FlushAsync(_options.AuthTimeout, "cancelling AUTH", cancellationToken).ConfigureAwait(false);
                throw new SmtpSessionException(false, "4.5.0", $"protocol error: bad AUTH challenge from {RemoteMta}");
            }
            var response = exchange.Respond(challenge);
            reply = await CommandAsync(Convert.ToBase64String(response), _options.AuthTimeout, "authenticating", cancellationToken, secret: true).ConfigureAwait(false);
        }
        if (reply.Code != 235)
        {
            // A refused login defers rather than bounces (Postfix smtp_sasl_auth_soft_bounce): the admin can fix the password.
            var status = reply.EnhancedStatus is { } s ? "4" + s[1..] : "4.7.0";
            throw new SmtpSessionException(false, status, $"SASL {mechanism} authentication to {RemoteMta} failed: {reply}", reply);
        }
        AuthenticatedMechanism = mechanism;
    }

    /// <summary>" (TLS policy ...)" for failure messages when a destination policy applies.</summary>
    private string PolicyNote => _options.TlsPolicyKey.Length == 0 ? "" : $" (TLS policy {_options.TlsPolicyKey})";

    private SmtpSessionException SessionFailure(SmtpReply reply, string what)
        => new(reply.IsPermanentNegative, reply.Status(), $"{what}: {RemoteMta} said: {reply}", reply);

    /// <summary>Sends QUIT (best effort, short timeout) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (IsUsable)
        {
            try
            {
                await CommandAsync("QUIT", _options.QuitTimeout, "sending QUIT", CancellationToken.None).ConfigureAwait(false);
            }
            catch (SmtpSessionException)
            {
                // The peer may close first; nothing depends on the answer.
            }
        }
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        _socket.Dispose();
        _timeouts.Dispose();
    }
}
