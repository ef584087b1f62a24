using System.Text;

namespace Postbote.Delivery.Smtp;

/// <summary>
/// SASL PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) for a user name and password, e.g. a relayhost account.
/// Use only over TLS: both send the password in the clear.
/// </summary>
public sealed class PlainLoginAuthenticator : ISmtpClientAuthenticator
{
    private readonly string _user;
    private readonly string _password;

    /// <summary>Creates an authenticator for <paramref name="user"/> / <paramref name="password"/>.</summary>
    public PlainLoginAuthenticator(string user, string password)
    {
        _user = user ?? throw new ArgumentNullException(nameof(user));
        _password = password ?? throw new ArgumentNullException(nameof(password));
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Mechanisms { get; } = new[] { "PLAIN", "LOGIN" };

    /// <inheritdoc/>
    public ISmtpClientAuthExchange Begin(string mechanism) => mechanism.ToUpperInvariant() switch
    {
        "PLAIN" => new Exchange(Encoding.UTF8.GetBytes($"\0{_user}\0{_password}"), Array.Empty<byte[]>()),
        "LOGIN" => new Exchange(null, new[] { Encoding.UTF8.GetBytes(_user), Encoding.UTF8.GetBytes(_password) }),
        _ => throw new NotSupportedException($"SASL mechanism {mechanism} is not supported"),
    };

    private sealed class Exchange(byte[]? initial, byte[][] answers) : ISmtpClientAuthExchange
    {
        private int _step;

        public byte[]? InitialResponse => initial;

        public byte[] Respond(ReadOnlySpan<byte> challenge)
            => _step < answers.Length ? answers[_step++] : Array.Empty<byte>();
    }
}
