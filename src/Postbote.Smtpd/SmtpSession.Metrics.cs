using Postbote.Core.Smtp;

namespace Postbote.Smtpd;

/// <summary>What the session tells <see cref="SmtpdMetrics"/>: the verb a reply answers and why the session ended.</summary>
public sealed partial class SmtpSession
{
    /// <summary>The verb of the last command line (AUTH continuation lines keep AUTH; DATA's final reply counts under DATA).</summary>
    private SmtpVerb _verb = SmtpVerb.Unknown;
    /// <summary>Why the session ended: closed (the client went without QUIT) unless a more precise reason was set.</summary>
    private string _endReason = "closed";

    /// <summary>Counts the connection now and the session's end (by reason) when disposed.</summary>
    private SessionCount CountSession()
    {
        _services.Metrics.Connected(_listener.Name);
        return new SessionCount(this);
    }

    private readonly struct SessionCount(SmtpSession session) : IDisposable
    {
        public void Dispose() => session._services.Metrics.SessionEnded(session._listener.Name, session._endReason);
    }
}
