namespace Postbote.Delivery.Smtp;

/// <summary>
/// The client side of SMTP AUTH (RFC 4954): which SASL mechanisms we can do and a fresh exchange per attempt.
/// <see cref="SaslClientAuthenticator"/> does SCRAM-SHA-256, PLAIN and LOGIN with Postbote.Core.Sasl plugs in here.
/// </summary>
public interface ISmtpClientAuthenticator
{
    /// <summary>Mechanism names in our order of preference; the first one the server offers is used.</summary>
    IReadOnlyList<string> Mechanisms { get; }

    /// <summary>Starts an exchange for <paramref name="mechanism"/> (one of <see cref="Mechanisms"/>).</summary>
    ISmtpClientAuthExchange Begin(string mechanism);
}
