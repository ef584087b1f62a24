namespace Postbote.MailAuth.Arc;

/// <summary>ARC settings (configuration section "Arc"; docs/configuration.md, "Arc").</summary>
public sealed class ArcOptions
{
    /// <summary>Seal mail forwarded off-site through an alias of a domain with an RSA DKIM key. On: without a key nothing is sealed.</summary>
    public bool Seal { get; set; } = true;
}
