using System.Net;

namespace Postbote.MailAuth.Spf;

/// <summary>The values SPF macros expand to (RFC 7208 §7.2) for one check_host() call.</summary>
/// <param name="Sender">The full sender, "local@domain" (postmaster@helo for the null sender).</param>
/// <param name="Domain">The domain being checked (%{d}); changes with include and redirect.</param>
/// <param name="Client">The SMTP client address (%{i}, %{c}, %{v}).</param>
/// <param name="Helo">The HELO/EHLO name (%{h}).</param>
/// <param name="Receiver">Our own host name (%{r}, exp only).</param>
/// <param name="Timestamp">Seconds since the epoch (%{t}, exp only).</param>
/// <param name="ValidatedName">The client's validated name (%{p}), or null when it was not looked up ("unknown").</param>
public sealed record SpfMacroContext(string Sender, string Domain, IPAddress Client, string Helo, string Receiver, long Timestamp,
    string? ValidatedName = null)
{
    /// <summary>The local part of <see cref="Sender"/> (%{l}).</summary>
    public string LocalPart => Sender[..Math.Max(0, Sender.LastIndexOf('@'))];

    /// <summary>The domain of <see cref="Sender"/> (%{o}).</summary>
    public string SenderDomain => Sender[(Sender.LastIndexOf('@') + 1)..];
}
