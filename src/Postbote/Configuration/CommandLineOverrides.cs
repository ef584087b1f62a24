namespace Postbote.Configuration;

/// <summary>
/// Configuration overrides "--Section:Key=value", which any command takes: they are handed to the configuration as
/// the equivalent POSTBOTE_Section__Key environment variables, which it already reads (and which a program it runs
/// inherits). Shared by `postbote` and the native postbote-sendmail.
/// </summary>
public static class CommandLineOverrides
{
    /// <summary>Sets the variables of the overrides in <paramref name="args"/>; returns the other arguments.</summary>
    public static List<string> Apply(IEnumerable<string> args)
    {
        var rest = new List<string>();
        foreach (var arg in args)
        {
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 && arg.AsSpan(2, eq - 2).Contains(':'))
                Environment.SetEnvironmentVariable("POSTBOTE_" + arg[2..eq].Replace(":", "__"), arg[(eq + 1)..]);
            else rest.Add(arg);
        }
        return rest;
    }
}
