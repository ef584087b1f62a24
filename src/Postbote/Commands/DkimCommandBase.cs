using System.Text.Json;
using Postbote.MailAuth.Dkim;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>
/// Base of the `postbote dkim` commands: opens the key store under the configured data directory
/// (DataDirectory/dkim), turns bad arguments into exit 64 with the reason, and prints keys alike.
/// </summary>
public abstract class DkimCommandBase<TSettings> : Command<TSettings> where TSettings : ConfigSettings
{
    public override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        var store = new DkimKeyStore(Path.Combine(config.DataDirectory, "dkim"));
        try { return Run(store, settings); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("postbote: " + e.Message);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("postbote: " + e.Message);
            return ExitCodes.Unavailable;
        }
    }

    protected abstract int Run(DkimKeyStore store, TSettings settings);

    /// <summary>The oldest key of each algorithm signs (see <see cref="DkimKeyStore"/>).</summary>
    protected static bool IsSigning(DkimSigningKey key, IReadOnlyList<DkimSigningKey> all) => DkimKeyStore.IsSigning(key, all);

    protected static object ToJson(DkimSigningKey key, IReadOnlyList<DkimSigningKey>? all = null) => all is null
        ? new { domain = key.Domain, selector = key.Selector, algorithm = key.AlgorithmName, name = key.RecordName + ".", txt = key.TxtRecord }
        : new { domain = key.Domain, selector = key.Selector, algorithm = key.AlgorithmName, name = key.RecordName + ".", txt = key.TxtRecord,
            bits = key.KeyBits, created = key.Created, signing = IsSigning(key, all) };

    protected static string Serialize(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true });

    protected static DkimAlgorithm ParseAlgorithm(string text) => text.ToLowerInvariant() switch
    {
        "rsa" or "rsa-sha256" => DkimAlgorithm.RsaSha256,
        "ed25519" or "ed25519-sha256" => DkimAlgorithm.Ed25519Sha256,
        _ => throw new ArgumentException($"'{text}' is not an algorithm: rsa or ed25519"),
    };

    /// <summary>A new key, printed as the zone file line to publish (stdout) or as JSON; the explanation goes to stderr.</summary>
    protected static int CreateAndPrint(DkimKeyStore store, DkimKeygenSettings s, string what)
    {
        using var key = store.Create(s.Domain, s.Selector, ParseAlgorithm(s.Algorithm), s.Bits, DateTimeOffset.UtcNow);
        Console.WriteLine(s.Json ? Serialize(ToJson(key)) : key.ZoneFileLine);
        Console.Error.WriteLine($"postbote: {what} {key}; publish the record above in DNS.");
        return ExitCodes.Ok;
    }
}
