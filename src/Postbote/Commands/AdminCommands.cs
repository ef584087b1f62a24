using System.ComponentModel;
using System.Text.Json;
using Postbote.Directory;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Postbote.Commands;

public sealed class AdminSettingsArgs : ConfigSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("The dashboard login name: a-z, 0-9, '.', '_', '-' (not a mail address: admins are not mail users).")]
    public string Name { get; set; } = "";

    [CommandOption("--password-stdin")]
    [Description("Read the password from the first line of standard input.")]
    public bool PasswordStdin { get; set; }
}

/// <summary>Base of `postbote admin ...`: the directory's dashboard accounts.</summary>
public abstract class AdminCommandBase<TSettings> : DirectoryCommandBase<TSettings> where TSettings : ConfigSettings
{
    protected sealed override Task<int> RunAsync(SqlMailDirectory directory, TSettings settings, CancellationToken ct) =>
        RunAsync((IAdminAccounts)directory, settings, ct);

    protected abstract Task<int> RunAsync(IAdminAccounts admins, TSettings settings, CancellationToken ct);
}

/// <summary>`postbote admin add NAME`.</summary>
public sealed class AdminAddCommand : AdminCommandBase<AdminSettingsArgs>
{
    protected override async Task<int> RunAsync(IAdminAccounts admins, AdminSettingsArgs s, CancellationToken ct)
    {
        var password = ReadPassword(s.PasswordStdin);
        if (string.IsNullOrEmpty(password)) { await Console.Error.WriteLineAsync("postbote: no password given"); return ExitCodes.Usage; }
        var admin = await admins.AddAdminAsync(s.Name, password, ct);
        Console.WriteLine(s.Json ? JsonSerializer.Serialize(new { name = admin.Name }) : $"admin {admin.Name} added");
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote admin passwd NAME`: a new password; the admin's open dashboard sessions end.</summary>
public sealed class AdminPasswdCommand : AdminCommandBase<AdminSettingsArgs>
{
    protected override async Task<int> RunAsync(IAdminAccounts admins, AdminSettingsArgs s, CancellationToken ct)
    {
        var password = ReadPassword(s.PasswordStdin);
        if (string.IsNullOrEmpty(password)) { await Console.Error.WriteLineAsync("postbote: no password given"); return ExitCodes.Usage; }
        return await ReportAsync(await admins.SetAdminPasswordAsync(s.Name, password, ct), $"admin: {s.Name}",
            $"password of admin {s.Name.ToLowerInvariant()} changed; their dashboard sessions have ended");
    }
}

/// <summary>`postbote admin remove NAME`.</summary>
public sealed class AdminRemoveCommand : AdminCommandBase<AdminSettingsArgs>
{
    protected override async Task<int> RunAsync(IAdminAccounts admins, AdminSettingsArgs s, CancellationToken ct) =>
        await ReportAsync(await admins.RemoveAdminAsync(s.Name, ct), $"admin: {s.Name}", $"admin {s.Name.ToLowerInvariant()} removed");
}

/// <summary>`postbote admin list`.</summary>
public sealed class AdminListCommand : AdminCommandBase<ConfigSettings>
{
    protected override async Task<int> RunAsync(IAdminAccounts admins, ConfigSettings s, CancellationToken ct)
    {
        var list = await admins.ListAdminsAsync(ct);
        if (s.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(list.Select(a => new { name = a.Name, created = a.Created })));
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Name", "Created (UTC)");
        foreach (var a in list) table.AddRow(Markup.Escape(a.Name), a.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
