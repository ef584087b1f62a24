using Microsoft.Extensions.Logging;
using Postbote.Smtpd.Filters;

namespace Postbote.Configuration;

/// <summary>Checks and builds the content filters: the "Milters" list (Postfix smtpd_milters) and "Rspamd".</summary>
public static class FiltersConfiguration
{
    public static void Validate(PostboteOptions o, List<string> problems)
    {
        problems.AddRange(o.Rspamd.Validate());
        foreach (var l in o.Rspamd.Listeners ?? Array.Empty<string>())
            if (o.Listeners is not null && !(o.Listeners.Any(x => string.Equals(x.Name, l, StringComparison.OrdinalIgnoreCase)))) problems.Add($"Rspamd:Listeners: no listener is named '{l}'");
        var milters = o.Milters ?? Array.Empty<MilterOptions>();
        var listeners = (o.Listeners ?? Array.Empty<ListenerOptions>()).Select(l => l.Name).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < milters.Length; i++)
        {
            var key = $"Milters:{i}";
            problems.AddRange(milters[i].Validate(key));
            if (milters[i].Name is { } name && !names.Add(name)) problems.Add($"{key}:Name '{name}' is used twice");
            foreach (var l in milters[i].Listeners ?? Array.Empty<string>())
                if (o.Listeners is not null && !listeners.Contains(l)) problems.Add($"{key}:Listeners: no listener is named '{l}'");
        }
    }

    /// <summary>The filters of the server; null without any (the sessions then pay nothing for them).</summary>
    public static ContentFilters? Build(PostboteOptions o, ILoggerFactory loggers)
    {
        var milters = o.Milters ?? Array.Empty<MilterOptions>();
        if (milters.Length == 0 && !o.Rspamd.Enabled) return null;
        return new ContentFilters(milters, o.Limits.MessageSizeBytes, loggers, o.Rspamd);
    }
}
