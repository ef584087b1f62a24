using System.Diagnostics;

namespace Postbote.Sendmail;

/// <summary>
/// The full `postbote` program, for the two rare paths that need the whole server's code: `sendmail -bs` (the
/// server's SMTP session on stdin/stdout) and queueing into the spool while the server is stopped (the spool, the
/// directory's alias expansion and the DKIM signer). Found as SENDMAIL_POSTBOTE_PROGRAM (an executable, or a postbote.dll run
/// with dotnet), else `postbote` beside this program, else /usr/sbin/postbote.
/// </summary>
public static class FullPostbote
{
    private const string Installed = "/usr/sbin/postbote";

    /// <summary>The program, or null when none is found.</summary>
    public static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("SENDMAIL_POSTBOTE_PROGRAM") is { Length: > 0 } configured) return configured;
        var beside = Path.Combine(AppContext.BaseDirectory, "postbote");
        if (File.Exists(beside)) return beside;
        return File.Exists(Installed) ? Installed : null;
    }

    /// <summary>
    /// Runs `postbote ARGS` with this process's stdout and stderr; stdin is this one's when <paramref name="input"/> is
    /// null, else those bytes. Returns its exit code, or null when the program is not found (the reason on stderr).
    /// </summary>
    public static async Task<int?> RunAsync(IEnumerable<string> args, byte[]? input, CancellationToken ct)
    {
        if (Start(args, redirectInput: input is not null, redirectOutput: false) is not { } process) return null;
        using (process)
        {
            if (input is not null)
            {
                try
                {
                    await process.StandardInput.BaseStream.WriteAsync(input, ct).ConfigureAwait(false);
                    process.StandardInput.Close();
                }
                catch (IOException) { } // it exited early; its exit code and stderr say why
            }
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return process.ExitCode;
        }
    }

    /// <summary>Runs `postbote ARGS` and returns its exit code and standard output (its stderr is this one's); null when not found.</summary>
    public static async Task<(int Exit, string Stdout)?> CaptureAsync(IEnumerable<string> args, CancellationToken ct)
    {
        if (Start(args, redirectInput: false, redirectOutput: true) is not { } process) return null;
        using (process)
        {
            var stdout = await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return (process.ExitCode, stdout);
        }
    }

    private static Process? Start(IEnumerable<string> args, bool redirectInput, bool redirectOutput)
    {
        if (Locate() is not { } program)
        {
            Console.Error.WriteLine($"postbote-sendmail: the postbote program is not found (beside this one, {Installed}, or SENDMAIL_POSTBOTE_PROGRAM)");
            return null;
        }
        bool dll = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(dll ? "dotnet" : program)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
        };
        if (dll) psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        try { return Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"postbote-sendmail: cannot run {program}: {e.Message}");
            return null;
        }
    }
}
