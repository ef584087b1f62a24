namespace Postbote.Smtpd.Filters;

/// <summary>
/// rspamd asked over HTTP (configuration section "Rspamd"): its normal worker's /checkv2, at the end of the data,
/// after the milters. Off unless a Url is given.
/// </summary>
public sealed class RspamdOptions
{
    /// <summary>The normal worker, e.g. "http://127.0.0.1:11333" (rspamd's default). Empty: off.</summary>
    public string? Url { get; set; }
    /// <summary>Listener names whose mail is checked; empty or absent: every listener.</summary>
    public string[]? Listeners { get; set; }
    /// <summary>The whole check, connect to answer. 20 s (rspamd's own task_timeout is 8 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>When rspamd cannot be asked or answers nonsense: Accept (rspamd's recommendation for Postfix, milter_default_action = accept), Tempfail or Reject.</summary>
    public FilterFailureAction DefaultAction { get; set; } = FilterFailureAction.Accept;
    /// <summary>Larger messages are not checked (rspamd's proxy max_size works the same way). 20 MiB.</summary>
    public long MaxMessageBytes { get; set; } = 20 * 1024 * 1024;
    /// <summary>The field added for the "add header" action (rspamd's proxy spam_header).</summary>
    public string SpamHeader { get; set; } = "X-Spam";
    /// <summary>The subject for "rewrite subject" when rspamd gives none; %s is the old subject.</summary>
    public string SpamSubject { get; set; } = "*** SPAM *** %s";

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    public bool AppliesTo(string listener) => Listeners is not { Length: > 0 } || Array.Exists(Listeners, l => string.Equals(l, listener, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query))
            yield return $"Rspamd:Url: '{Url}' must be an http:// or https:// URL such as http://127.0.0.1:11333";
        if (Timeout <= TimeSpan.Zero) yield return "Rspamd:Timeout must be positive";
        if (MaxMessageBytes < 1) yield return "Rspamd:MaxMessageBytes must be positive";
        if (!Enum.IsDefined(DefaultAction)) yield return "Rspamd:DefaultAction must be Accept, Tempfail or Reject";
        if (string.IsNullOrWhiteSpace(SpamHeader) || SpamHeader.Any(c => c is <= ' ' or > '~' or ':')) yield return "Rspamd:SpamHeader must be a header field name";
        if (string.IsNullOrWhiteSpace(SpamSubject)) yield return "Rspamd:SpamSubject must not be empty";
    }
}
