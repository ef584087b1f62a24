using System.Security.Cryptography.X509Certificates;

namespace Postbote.Delivery.Tls;

/// <summary>
/// The per-destination TLS policies (Postfix smtp_tls_policy_maps): <c>example.com</c> matches that domain only,
/// <c>.example.com</c> every subdomain; the most specific entry wins; destinations without one get the default level.
/// Built once at start; a lookup is a few dictionary probes, none when no policy is configured.
/// </summary>
public sealed class TlsPolicyTable
{
    private readonly Dictionary<string, DestinationTlsPolicy> _policies;

    private TlsPolicyTable(DestinationTlsPolicy fallback, Dictionary<string, DestinationTlsPolicy> policies)
    {
        Default = fallback;
        _policies = policies;
    }

    /// <summary>The policy of destinations without an entry.</summary>
    public DestinationTlsPolicy Default { get; }

    /// <summary>True when some destination has its own policy.</summary>
    public bool HasPolicies => _policies.Count > 0;

    /// <summary>Opportunistic TLS for every destination (Postbote's default, and tests').</summary>
    public static TlsPolicyTable Opportunistic { get; } = new(new DestinationTlsPolicy(TlsLevel.May, TlsMatchNames.Default, null, "default"), new());

    /// <summary>Builds the table from validated options (see <see cref="DeliveryTlsOptions.Validate"/>), reading the CA files.</summary>
    /// <exception cref="ArgumentException">An invalid setting, naming its key.</exception>
    public static TlsPolicyTable Build(DeliveryTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(problems[0]);
        var anchors = LoadAnchors(options.CAFile, "Delivery:Tls:CAFile");
        TlsLevels.TryParse(options.Level, out var level);
        var fallback = new DestinationTlsPolicy(level, TlsMatchNames.Default, anchors, "Delivery:Tls:Level");
        var policies = new Dictionary<string, DestinationTlsPolicy>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < (options.Policies?.Length ?? 0); i++)
        {
            var p = options.Policies![i];
            var destination = Normalize(p.Destination!.Trim().TrimEnd('.'));
            TlsLevels.TryParse(p.Level, out var l);
            var match = p.Match is { Length: > 0 } m ? m.Select(x => x.Trim()).ToArray() : TlsMatchNames.Default;
            var own = p.CAFile is { Length: > 0 } ? LoadAnchors(p.CAFile, $"Delivery:Tls:Policies:{i}:CAFile") : anchors;
            policies[destination] = new DestinationTlsPolicy(l, match, own, $"Delivery:Tls:Policies:{i} ({destination})");
        }
        return new TlsPolicyTable(fallback, policies);
    }

    /// <summary>The policy for a recipient domain (A-label or U-label, any case).</summary>
    public DestinationTlsPolicy Find(string domain)
    {
        if (_policies.Count == 0 || string.IsNullOrEmpty(domain)) return Default;
        var name = domain.TrimEnd('.');
        if (_policies.TryGetValue(name, out var exact)) return exact;
        if (!System.Text.Ascii.IsValid(name)) name = Normalize(name);
        if (_policies.TryGetValue(name, out exact)) return exact;
        for (var dot = name.IndexOf('.'); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (_policies.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name.AsSpan(dot), out var parent)) return parent;
        }
        return Default;
    }

    private DestinationTlsPolicy? _learnedVerified, _learnedEncrypted;

    /// <summary>
    /// The policy delivery applies to <paramref name="domain"/>: its own entry, or the default raised to what the
    /// destination has shown (<paramref name="learned"/>): verify (match hostname) after a verified delivery, encrypt
    /// after any TLS one. A configured policy and a default of none are the admin's word and never raised.
    /// </summary>
    /// <param name="learns">True when a delivery to this destination teaches its level (no own policy, learning on).</param>
    /// <param name="entry">The learned entry, when there is one.</param>
    public DestinationTlsPolicy Effective(string domain, LearnedTlsLevels? learned, out bool learns, out LearnedTlsEntry? entry)
    {
        var policy = Find(domain);
        entry = null;
        learns = learned is not null && ReferenceEquals(policy, Default) && policy.Level != TlsLevel.None;
        if (!learns || (entry = learned!.Find(domain)) is null) return policy;
        if (entry.Level == LearnedTlsLevel.Verified && policy.Level is not (TlsLevel.Verify or TlsLevel.DaneOnly))
            return _learnedVerified ??= new DestinationTlsPolicy(TlsLevel.Verify, TlsMatchNames.Default, policy.TrustAnchors,
                "learned: delivered with a verified certificate before; postbote tls forget clears it");
        if (entry.Level == LearnedTlsLevel.Encrypted && policy.Level is TlsLevel.May or TlsLevel.Dane)
            return _learnedEncrypted ??= new DestinationTlsPolicy(TlsLevel.Encrypt, TlsMatchNames.Default, policy.TrustAnchors,
                "learned: delivered over TLS before; postbote tls forget clears it");
        return policy;
    }

    private static string Normalize(string destination)
    {
        var dot = destination.StartsWith('.');
        var name = Core.Addressing.Mailbox.ToAscii(dot ? destination[1..] : destination).ToLowerInvariant();
        return dot ? "." + name : name;
    }

    private static X509Certificate2Collection? LoadAnchors(string? file, string key)
    {
        if (string.IsNullOrEmpty(file)) return null;
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{key}: {file} cannot be read as PEM certificates: {e.Message}");
        }
        if (collection.Count == 0) throw new ArgumentException($"{key}: {file} holds no PEM certificate");
        return collection;
    }
}
