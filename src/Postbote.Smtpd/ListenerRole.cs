namespace Postbote.Smtpd;

/// <summary>What a listener is for.</summary>
public enum ListenerRole
{
    /// <summary>Port 25: mail from the Internet for our domains; relay only for trusted clients.</summary>
    Mx,
    /// <summary>Ports 587/465 (RFC 6409, RFC 8314): mail from our users, AUTH required.</summary>
    Submission,
}
