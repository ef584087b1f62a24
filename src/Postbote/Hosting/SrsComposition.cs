using Postbote.Configuration;
using Postbote.MailAuth.Srs;

namespace Postbote.Hosting;

/// <summary>The SRS rewriter of a configuration (Srs:*): null when off; its secrets read (or created 0600) at start.</summary>
public static class SrsComposition
{
    public static string SecretFile(ResolvedConfiguration config) =>
        config.Options.Srs.SecretFile is { Length: > 0 } file ? file : Path.Combine(config.DataDirectory, "srs.secret");

    /// <exception cref="ConfigurationException">The secret file cannot be read or created, or holds no usable secret.</exception>
    public static SrsAddress? Create(ResolvedConfiguration config, TimeProvider time)
    {
        var options = config.Options.Srs;
        if (!options.Enabled) return null;
        var path = SecretFile(config);
        IReadOnlyList<byte[]> secrets;
        try { secrets = SrsSecrets.LoadOrCreate(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ConfigurationException([$"Srs:SecretFile: {e.Message}"]);
        }
        return new SrsAddress(options.Domain is { Length: > 0 } d ? d : config.Server.Hostname, secrets, options.MaxAge, time);
    }
}
