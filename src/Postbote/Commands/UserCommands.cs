using System.ComponentModel;
using System.Text.Json;
using Postbote.Directory;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Postbote.Commands;

public sealed class UserSettingsArgs : ConfigSettings
{
    [CommandArgument(0, "<ADDRESS>")]
    [Description("The user's address, e.g. me@example.org.")]
    public string Address { get; set; } = "";

    [CommandOption("--password-stdin")]
    [Description("Read the password from the first line of standard input.")]
    public bool PasswordStdin { get; set; }

    [CommandOption("--cram-md5")]
    [Description("Also keep a CRAM-MD5 secret (plaintext-equivalent!) so this user can use AUTH CRAM-MD5.")]
    public bool CramMd5 { get; set; }

    [CommandOption("--send-as-anyone")]
    [Description("Allow any envelope sender and From: (for trusted applications).")]
    public bool SendAsAnyone { get; set; }

    [CommandOption("--quota <BYTES>")]
    [Description("Mailbox quota in bytes.")]
    public long? Quota { get; set; }
}

/// <summary>`postbote user add ADDRESS`.</summary>
public sealed class UserAddCommand : DirectoryCommandBase<UserSettingsArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, UserSettingsArgs s, CancellationToken ct)
    {
        var password = ReadPassword(s.PasswordStdin);
        if (string.IsNullOrEmpty(password)) { await Console.Error.WriteLineAsync("postbote: no password given"); return ExitCodes.Usage; }
        var user = await directory.AddUserAsync(s.Address, password, new UserSettings(s.CramMd5, s.SendAsAnyone, s.Quota), ct);
        Console.WriteLine(s.Json ? JsonSerializer.Serialize(new { address = user.Address }) : $"user {user.Address} added");
        return ExitCodes.Ok;
    }
}

/// <summary>`postbote user passwd ADDRESS`.</summary>
public sealed class UserPasswdCommand : DirectoryCommandBase<UserSettingsArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, UserSettingsArgs s, CancellationToken ct)
    {
        var password = ReadPassword(s.PasswordStdin);
        if (string.IsNullOrEmpty(password)) { await Console.Error.WriteLineAsync("postbote: no password given"); return ExitCodes.Usage; }
        return await ReportAsync(await directory.SetPasswordAsync(s.Address, password, s.CramMd5 ? true : null, ct),
            $"user: {s.Address}", $"password of {s.Address} changed");
    }
}

/// <summary>`postbote user remove ADDRESS`.</summary>
public sealed class UserRemoveCommand : DirectoryCommandBase<UserSettingsArgs>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, UserSettingsArgs s, CancellationToken ct)
    {
        return await ReportAsync(await directory.RemoveUserAsync(s.Address, ct), $"user: {s.Address}", $"user {s.Address} removed");
    }
}

public sealed class ListSettings : ConfigSettings
{
    [CommandArgument(0, "[DOMAIN]")]
    [Description("Only this domain.")]
    public string? Domain { get; set; }
}

/// <summary>`postbote user list [DOMAIN]`.</summary>
public sealed class UserListCommand : DirectoryCommandBase<ListSettings>
{
    protected override async Task<int> RunAsync(SqlMailDirectory directory, ListSettings s, CancellationToken ct)
    {
        var users = await directory.ListUsersAsync(s.Domain, ct);
        if (s.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(users));
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Address", "CRAM-MD5", "Send as anyone", "Quota");
        foreach (var u in users) table.AddRow(Markup.Escape(u.Address), u.AllowCramMd5 ? "yes" : "no", u.AllowSendAsAnyone ? "yes" : "no", u.QuotaBytes?.ToString() ?? "-");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
