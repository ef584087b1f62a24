using System.Diagnostics.Metrics;

namespace Postbote.Delivery;

/// <summary>
/// The outbound SMTP client's instruments (meter "Postbote"; docs/metrics.md): connections by result, TLS
/// outcomes, message bytes sent. Tag lists are built once.
/// </summary>
public sealed class DeliveryMetrics
{
    private readonly Counter<long> _connections, _tls, _sent;
    private readonly KeyValuePair<string, object?>[] _ok, _failed, _tlsVerified, _tlsUnverified, _tlsNone, _tlsFailed, _tlsFallback, _tlsNotOffered, _tlsNotVerified;

    public DeliveryMetrics(IMeterFactory? meters = null)
    {
        var meter = meters?.Create("Postbote") ?? new Meter("Postbote");
        _connections = meter.CreateCounter<long>("postbote.delivery.connections", "{connection}", "Outbound SMTP connections opened (up to ready for MAIL), by result");
        _tls = meter.CreateCounter<long>("postbote.delivery.tls", "{connection}", "TLS outcome of outbound SMTP connections");
        _sent = meter.CreateCounter<long>("postbote.sent", "By", "Message bytes sent by the outbound SMTP client in transactions that delivered to at least one recipient");
        _ok = new[] { Tag("result", "ok") };
        _failed = new[] { Tag("result", "failed") };
        _tlsVerified = new[] { Tag("outcome", "verified") };
        _tlsUnverified = new[] { Tag("outcome", "unverified") };
        _tlsNotOffered = new[] { Tag("outcome", "not_offered") };
        _tlsNotVerified = new[] { Tag("outcome", "not_verified") };
        _tlsNone = new[] { Tag("outcome", "plaintext") };
        _tlsFailed = new[] { Tag("outcome", "failed") };
        _tlsFallback = new[] { Tag("outcome", "failed_retried_plaintext") };
    }

    /// <summary>A connection reached ready-for-MAIL: over TLS with a verified or unverified certificate, or in plaintext.</summary>
    public void Connected(Postbote.Core.Delivery.TransportSecurity security)
    {
        _connections.Add(1, _ok);
        _tls.Add(1, !security.IsTls ? _tlsNone : security.IsAuthenticated ? _tlsVerified : _tlsUnverified);
    }

    /// <summary>A connection failed before MAIL; <paramref name="tlsFailure"/> says how when TLS was the cause (<see cref="Smtp.SmtpSessionException.TlsFailure"/>).</summary>
    public void ConnectFailed(string? tlsFailure)
    {
        _connections.Add(1, _failed);
        switch (tlsFailure)
        {
            case "failed": _tls.Add(1, _tlsFailed); break;
            case "not_offered": _tls.Add(1, _tlsNotOffered); break;
            case "not_verified": _tls.Add(1, _tlsNotVerified); break;
        }
    }

    /// <summary>The TLS handshake failed under opportunistic TLS; the address is tried again in plaintext (counted again).</summary>
    public void TlsFellBack()
    {
        _connections.Add(1, _failed);
        _tls.Add(1, _tlsFallback);
    }

    public void Sent(long bytes, IReadOnlyList<Postbote.Core.Delivery.RecipientResult> results)
    {
        for (int i = 0; i < results.Count; i++)
        {
            if (!results[i].IsSuccess) continue;
            _sent.Add(bytes);
            return;
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
