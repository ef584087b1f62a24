namespace Postbote.Smtpd.Filters;

/// <summary>What happens to mail when a filter cannot be asked (unreachable, broken, too slow): Postfix milter_default_action.</summary>
public enum FilterFailureAction { Tempfail, Accept, Reject }

/// <summary>
/// One content filter speaking the milter protocol (configuration list "Milters", in the order they run): Postfix
/// smtpd_milters with its milter_* settings, per filter.
/// </summary>
public sealed class MilterOptions
{
    /// <summary>Name in the logs. Required.</summary>
    public string? Name { get; set; }
    /// <summary>"unix:/run/opendkim/opendkim.sock", "inet:127.0.0.1:8891", "inet:[::1]:8891" (Postfix's forms; "local:" is unix:).</summary>
    public string? Address { get; set; }
    /// <summary>Listener names the filter runs on; empty or absent: every listener.</summary>
    public string[]? Listeners { get; set; }
    /// <summary>Time to connect and negotiate. 30 s, Postfix milter_connect_timeout.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Time for the reply to each SMTP event (connect, HELO, MAIL, RCPT, DATA, each header). 30 s, Postfix milter_command_timeout.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Time for the reply to the message content and end of message; a progress packet restarts it. 300 s, Postfix milter_content_timeout.</summary>
    public TimeSpan EndOfMessageTimeout { get; set; } = TimeSpan.FromSeconds(300);
    /// <summary>When the filter fails or times out: Tempfail (451 4.7.1, Postfix's default), Accept (go on without it) or Reject (550 5.7.1).</summary>
    public FilterFailureAction DefaultAction { get; set; } = FilterFailureAction.Tempfail;

    public bool AppliesTo(string listener) => Listeners is not { Length: > 0 } || Array.Exists(Listeners, l => string.Equals(l, listener, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> Validate(string key)
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return $"{key}:Name must be given";
        if (MilterAddress.Parse(Address, out var error) is null) yield return $"{key}:Address: {error}";
        if (ConnectTimeout <= TimeSpan.Zero) yield return $"{key}:ConnectTimeout must be positive";
        if (CommandTimeout <= TimeSpan.Zero) yield return $"{key}:CommandTimeout must be positive";
        if (EndOfMessageTimeout <= TimeSpan.Zero) yield return $"{key}:EndOfMessageTimeout must be positive";
        if (!Enum.IsDefined(DefaultAction)) yield return $"{key}:DefaultAction must be Accept, Tempfail or Reject";
    }
}
