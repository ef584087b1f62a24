using Microsoft.Extensions.Logging;
using Postbote.Queue;
using Postbote.Smtpd.Tls;

namespace Postbote.Smtpd;

/// <summary>What every session of a server shares: settings, the spool, policies, the clock and the logs.</summary>
public sealed class SmtpServices
{
    public required SmtpServerOptions Options { get; init; }
    public required Spool Spool { get; init; }
    public required ILoggerFactory LoggerFactory { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public CertificateProvider? Certificates { get; init; }
    public ConnectionLimiter Connections { get; init; } = new();
    public IRecipientValidator Recipients { get; init; } = new AcceptAllLocalRecipients();
    public ISmtpAuthenticator? Authenticator { get; init; }
    public IEtrnService? Etrn { get; init; }
    public AuthThrottle? AuthThrottle { get; init; }
    public ISentFolder? SentFolder { get; init; }
    /// <summary>Free space of the spool's file system, for refusing MAIL while it is low (none: no check).</summary>
    public SpoolFreeSpace? FreeSpace { get; init; }
    public EtrnThrottle EtrnThrottle { get; init; } = new();
    /// <summary>SPF at MAIL on Mx listeners for clients neither authenticated nor trusted (none: no check).</summary>
    public SpfCheckStep? Spf { get; init; }
    /// <summary>DKIM, DMARC and Authentication-Results at the end of DATA on Mx listeners for strangers (none: no checks).</summary>
    public MailAuth.MessageAuthenticator? InboundChecks { get; init; }
    /// <summary>Signs mail from authenticated and trusted clients (DKIM); none: nothing is signed.</summary>
    public MailAuth.Dkim.DkimSigner? Dkim { get; init; }
    /// <summary>Sender rewriting of forwarded mail and the bounce addresses it makes (Srs:*); null: off.</summary>
    public MailAuth.Srs.SrsAddress? Srs { get; init; }
    /// <summary>Seals mail forwarded off-site through aliases (ARC, Arc:Seal); null: off.</summary>
    public MailAuth.Arc.ArcSealer? ArcSealer { get; init; }
    /// <summary>Validates the ARC chain of mail being sealed; set with <see cref="ArcSealer"/>.</summary>
    public MailAuth.Arc.ArcVerifier? ArcVerifier { get; init; }
    /// <summary>Per-client connection, message, recipient and TLS rates (Postfix anvil); null: no limits.</summary>
    public RateLimiting.ClientRateLimiter? RateLimiter { get; init; }
    /// <summary>postscreen-style screening of MX clients before the greeting; null: off.</summary>
    public Screening.Screen? Screen { get; init; }
    /// <summary>Content filters (milters) run during the dialogue and at end of data; null: none.</summary>
    public Filters.ContentFilters? Filters { get; init; }
    /// <summary>Greylisting at RCPT on MX listeners (postgrey); null: off.</summary>
    public Greylisting.Greylist? Greylist { get; init; }
    /// <summary>Optional HELO, sender and client restrictions at RCPT (Restrictions:*); null: none enabled.</summary>
    public Restrictions.SessionRestrictions? Restrictions { get; init; }
    public SmtpdMetrics Metrics { get; init; } = new();
}
