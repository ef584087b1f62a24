namespace Postbote.MailAuth.Dkim;

/// <summary>DKIM signing settings (configuration section "Dkim"; documented in docs/configuration.md, "DKIM").</summary>
public sealed class DkimOptions
{
    /// <summary>Postfix's header_size_limit (102400): the most header octets kept to sign a message; a longer header section is sent unsigned.</summary>
    public const int DefaultMaxHeaderBytes = 102400;

    /// <summary>Sign outgoing mail of every domain that has a key (postbote dkim keygen). On by default: without a key nothing is signed.</summary>
    public bool Sign { get; set; } = true;

    /// <summary>Most octets of a message's header section held in memory to sign it (Postfix header_size_limit, 102400).</summary>
    public int MaxHeaderBytes { get; set; } = DefaultMaxHeaderBytes;

    /// <summary>How often the running server looks for keys added or removed by `postbote dkim` (as OpenDKIM rereads its KeyTable on SIGUSR1; here by interval).</summary>
    public TimeSpan KeyReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Header fields signed when present (h=): RFC 6376 §5.4.1's recommended set plus Message-ID and the MIME fields, as
    /// OpenDKIM and rspamd sign them. From is always signed and oversigned (listed once more than it occurs, §8.15).
    /// </summary>
    public string[] SignedHeaders { get; set; } =
    [
        "from", "reply-to", "subject", "date", "to", "cc", "resent-date", "resent-from", "resent-to", "resent-cc",
        "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post",
        "list-owner", "list-archive", "message-id", "mime-version", "content-type", "content-transfer-encoding",
    ];

    public IEnumerable<string> Validate()
    {
        if (MaxHeaderBytes is < 1024 or > 16 * 1024 * 1024) yield return "Dkim:MaxHeaderBytes must be between 1024 and 16777216";
        if (KeyReloadInterval < TimeSpan.FromSeconds(1)) yield return "Dkim:KeyReloadInterval must be at least 00:00:01";
        foreach (var h in SignedHeaders)
            if (string.IsNullOrWhiteSpace(h) || h.Any(c => c <= ' ' || c == ':' || c > '~')) yield return $"Dkim:SignedHeaders: '{h}' is not a header field name";
    }
}
