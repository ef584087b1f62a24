namespace Postbote.Delivery.Tls;

/// <summary>
/// Outbound TLS for MX delivery (configuration section Delivery:Tls; docs/configuration.md "Delivery:Tls"):
/// a default level and per-destination policies, Postfix's smtp_tls_security_level and smtp_tls_policy_maps.
/// The relayhost keeps its own Relayhost:Tls and Relayhost:VerifyCertificate.
/// </summary>
public sealed class DeliveryTlsOptions
{
    /// <summary>Level for destinations without a policy: <c>may</c> (opportunistic; Postfix's and every MTA's default for MX).</summary>
    public string Level { get; set; } = "may";

    /// <summary>PEM file of trust anchors for <c>verify</c> (Postfix smtp_tls_CAfile); none: the system's store.</summary>
    public string? CAFile { get; set; }

    /// <summary>Per-destination policies; the first entry matching the recipient domain wins (exact name before <c>.parent</c>).</summary>
    public TlsPolicyOptions[]? Policies { get; set; }

    /// <summary>
    /// Learn per destination that TLS worked (chasquid): after a delivery over TLS, a destination without its own
    /// policy is held to that level (TLS; a verified certificate once one was seen) until `postbote tls forget`.
    /// On by default, as in chasquid: it only ever raises a level a destination has itself shown it can do.
    /// </summary>
    public bool LearnLevels { get; set; } = true;

    /// <summary>Most destinations remembered in DataDirectory/tls-levels.db; the least recently seen are dropped first.</summary>
    public int LearnedLevelsMaxEntries { get; set; } = 100_000;

    /// <summary>The problems of these settings, each naming its key (Delivery:Tls:...); empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!TlsLevels.TryParse(Level, out _)) problems.Add($"Delivery:Tls:Level: '{Level}' is not one of {TlsLevels.Names}");
        if (CAFile is { Length: > 0 } && !File.Exists(CAFile)) problems.Add($"Delivery:Tls:CAFile: {CAFile} does not exist");
        if (LearnedLevelsMaxEntries < 1) problems.Add("Delivery:Tls:LearnedLevelsMaxEntries must be positive");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < (Policies?.Length ?? 0); i++)
        {
            var p = Policies![i];
            var key = $"Delivery:Tls:Policies:{i}";
            var destination = p.Destination?.Trim().TrimEnd('.') ?? "";
            if (destination.Length == 0 || !IsDestination(destination))
                problems.Add($"{key}:Destination: '{p.Destination}' is not a domain (example.com) or a parent domain pattern (.example.com)");
            else if (!seen.Add(destination))
                problems.Add($"{key}:Destination: '{destination}' has more than one policy");
            if (!TlsLevels.TryParse(p.Level, out var level)) problems.Add($"{key}:Level: '{p.Level}' is not one of {TlsLevels.Names}");
            foreach (var m in p.Match ?? Array.Empty<string>())
            {
                if (!TlsMatchNames.IsValid(m))
                    problems.Add($"{key}:Match: '{m}' is not hostname, nexthop, dot-nexthop, a host name or a .parent-domain");
            }
            if (p.Match is { Length: > 0 } && level != TlsLevel.Verify)
                problems.Add($"{key}:Match applies only to Level verify");
            if (p.CAFile is { Length: > 0 } && !File.Exists(p.CAFile)) problems.Add($"{key}:CAFile: {p.CAFile} does not exist");
        }
        return problems;
    }

    private static bool IsDestination(string destination)
    {
        var name = destination.StartsWith('.') ? destination[1..] : destination;
        return Core.Addressing.MailboxParser.IsDomain(name, allowUtf8: true);
    }
}
