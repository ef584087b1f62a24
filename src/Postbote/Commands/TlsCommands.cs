using System.ComponentModel;
using System.Text.Json;
using Postbote.Core.Addressing;
using Postbote.Delivery.Tls;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>Settings of `postbote tls forget DOMAIN`.</summary>
public sealed class TlsForgetSettings : ConfigSettings
{
    [CommandArgument(0, "<DOMAIN>")]
    [Description("The recipient domain whose learned TLS level to clear, e.g. example.net.")]
    public string Domain { get; set; } = "";
}

/// <summary>
/// Base of `postbote tls list|forget`: opens DataDirectory/tls-levels.db (the running server sees a change within a
/// second), mapping an unreadable store to exit 69.
/// </summary>
public abstract class TlsCommandBase<TSettings> : Command<TSettings> where TSettings : ConfigSettings
{
    public override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        if (ConfigSettings.LoadOrReport(settings.ConfigFile) is not { } config) return ExitCodes.Config;
        var path = Path.Combine(config.DataDirectory, LearnedTlsLevels.FileName);
        try
        {
            using var store = LearnedTlsLevels.Open(path, Math.Max(1, config.Options.Delivery.Tls.LearnedLevelsMaxEntries));
            return Run(store, settings);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"postbote: {path}: {e.Message}");
            return ExitCodes.Unavailable;
        }
    }

    protected abstract int Run(LearnedTlsLevels store, TSettings settings);

    protected static string LevelName(LearnedTlsLevel level) => level == LearnedTlsLevel.Verified ? "verified" : "encrypted";
}

/// <summary>`postbote tls list`: the destinations held to the TLS level they have shown (Delivery:Tls:LearnLevels).</summary>
public sealed class TlsListCommand : TlsCommandBase<ConfigSettings>
{
    protected override int Run(LearnedTlsLevels store, ConfigSettings settings)
    {
        var entries = store.List();
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(entries.Select(e => new
            {
                domain = e.Domain, level = LevelName(e.Level), since = e.Since, lastSeen = e.LastSeen,
            }), new JsonSerializerOptions { WriteIndented = true }));
        }
        else if (entries.Count == 0)
        {
            Console.WriteLine("no learned TLS levels (a destination is learned after its first delivery over TLS)");
        }
        else
        {
            var table = new Table().AddColumns("Domain", "Level", "Since", "Last seen");
            foreach (var e in entries)
                table.AddRow(Markup.Escape(e.Domain), LevelName(e.Level), e.Since.ToString("yyyy-MM-dd HH:mm"), e.LastSeen.ToString("yyyy-MM-dd HH:mm"));
            AnsiConsole.Write(table);
        }
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote tls forget DOMAIN`: mail to DOMAIN is again sent as its policy allows (plaintext under may) until it is learned anew.</summary>
public sealed class TlsForgetCommand : TlsCommandBase<TlsForgetSettings>
{
    protected override int Run(LearnedTlsLevels store, TlsForgetSettings settings)
    {
        var domain = settings.Domain.Trim().TrimEnd('.');
        if (!MailboxParser.IsDomain(domain, allowUtf8: true))
        {
            Console.Error.WriteLine($"postbote: '{settings.Domain}' is not a domain name");
            return ExitCodes.Usage;
        }
        domain = Mailbox.ToAscii(domain);
        if (!store.Forget(domain))
        {
            Console.Error.WriteLine($"postbote: no learned TLS level for {domain}");
            return ExitCodes.NoInput;
        }
        Console.WriteLine($"{domain}: learned TLS level forgotten");
        return ExitCodes.Ok;
    }
}
