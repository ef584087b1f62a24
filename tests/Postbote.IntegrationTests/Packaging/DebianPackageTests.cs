using Postbote.IntegrationTests.Cli;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Packaging;

/// <summary>
/// Issue 15: the Debian package. packaging/test-deb.sh builds it (cached by the source hash) and installs it with apt
/// into a copy-on-write overlay of this machine's root, runs the server from the installed files, sends a mail with
/// the installed sendmail, and removes and purges it; each of its checks is one "ok"/"not ok" line.
/// </summary>
public sealed class DebianPackageTests
{
    [RequiresRootFact("unshare", "chroot", "dpkg-deb", "apt-get")]
    public async Task Package_Installs_RunsTheServer_DeliversMailFromSendmail_AndPurgesCleanly()
    {
        var script = Path.Combine(NativeSendmail.RepositoryRoot(), "packaging", "test-deb.sh");
        // Without lintian (1-2 minutes per new package on this machine): `bash packaging/test-deb.sh` by hand runs it too.
        var r = await ExternalTool.RunAsync("bash", [script], timeout: TimeSpan.FromMinutes(20), env: new Dictionary<string, string> { ["LINTIAN"] = "0" });
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.DoesNotContain("not ok", r.Stdout);
        Assert.Matches(@"(?m)^[1-9]\d+ passed, 0 failed$", r.Stdout);
    }
}

/// <summary>A fact that needs root and the given programs (packaging tests: mount namespaces, chroot); skipped, saying why, otherwise.</summary>
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !ExternalTool.Exists(t)).ToList();
        if (!Environment.UserName.Equals("root", StringComparison.Ordinal)) Skip = "needs root (mount namespaces, overlayfs, chroot)";
        else if (missing.Count > 0) Skip = $"not installed: {string.Join(", ", missing)}";
    }
}
