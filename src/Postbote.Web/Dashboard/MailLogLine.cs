using Microsoft.Extensions.Logging;

namespace Postbote.Web.Dashboard;

/// <summary>One line of the log as the dashboard shows it.</summary>
public sealed record MailLogLine(long Sequence, DateTimeOffset Time, LogLevel Level, string Category, string Text)
{
    public bool Matches(string? filter) => string.IsNullOrEmpty(filter) || Text.Contains(filter, StringComparison.OrdinalIgnoreCase);

    public string LevelName => Level switch
    {
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "info",
    };
}
