using System.Diagnostics;

namespace Postbote.IntegrationTests.Cli;

/// <summary>
/// The Native AOT postbote-sendmail as the Debian package ships it: `packaging/publish.sh sendmail`, which publishes
/// once per source state (cached by the hash of the sources, and refusing a build with AOT or trimming warnings), so
/// only the first run after a change pays the 1-2 minutes of native compilation. Beside the binary: a `mailq` link.
/// </summary>
public static class NativeSendmail
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _directory;

    /// <summary>The directory with postbote-sendmail and mailq; publishes when needed.</summary>
    public static async Task<string> DirectoryAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _directory ??= await PublishAsync();
        }
        finally { Gate.Release(); }
    }

    /// <summary>The repository's root (where Postbote.slnx is), above the test's bin directory.</summary>
    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Postbote.slnx"))) return d.FullName;
        throw new InvalidOperationException("Postbote.slnx not found above " + AppContext.BaseDirectory);
    }

    private static async Task<string> PublishAsync()
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(RepositoryRoot(), "packaging", "publish.sh"), "sendmail" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try { await p.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(p.ExitCode == 0, "packaging/publish.sh sendmail failed: " + await output + await errors);
        string dir = (await output).Trim().Split('\n')[^1];
        string mailq = Path.Combine(dir, "mailq");
        if (!File.Exists(mailq))
        {
            try { File.CreateSymbolicLink(mailq, "postbote-sendmail"); }
            catch (IOException) when (File.Exists(mailq)) { } // made at the same time by another test run
        }
        return dir;
    }
}
