using Postbote.Core.Sasl;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// Smarthost AUTH with the SASL client mechanisms of Postbote.Core, strongest first: SCRAM-SHA-256 (the
/// password never crosses the wire and the server proves it knows it too), then PLAIN and LOGIN (over TLS).
/// </summary>
public sealed class SaslClientAuthenticator : ISmtpClientAuthenticator
{
    private readonly string _user;
    private readonly string _password;

    public SaslClientAuthenticator(string user, string password, IReadOnlyList<string>? mechanisms = null)
    {
        _user = user;
        _password = password;
        Mechanisms = mechanisms ?? new[] { "SCRAM-SHA-256", "PLAIN", "LOGIN" };
    }

    public IReadOnlyList<string> Mechanisms { get; }

    public ISmtpClientAuthExchange Begin(string mechanism) =>
        new Exchange(SaslClientMechanisms.Create(mechanism, _user, _password)
            ?? throw new ArgumentException($"unsupported SASL mechanism {mechanism}", nameof(mechanism)));

    private sealed class Exchange(ISaslClientMechanism mechanism) : ISmtpClientAuthExchange
    {
        public byte[]? InitialResponse { get; } = mechanism.InitialResponse();
        public byte[] Respond(ReadOnlySpan<byte> challenge) => mechanism.Respond(challenge);
    }
}
