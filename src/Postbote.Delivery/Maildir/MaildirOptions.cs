namespace Postbote.Delivery.Maildir;

/// <summary>Settings of Maildir delivery.</summary>
public sealed class MaildirOptions
{
    /// <summary>The server's data directory, substituted for {DataDirectory}.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// Where a recipient's Maildir is: tokens {DataDirectory}, {domain}, {localpart} and {user} (localpart@domain),
    /// all lower-cased. Default "{DataDirectory}/mail/{domain}/{localpart}/Maildir" (Dovecot's usual layout).
    /// </summary>
    public string PathTemplate { get; set; } = "{DataDirectory}/mail/{domain}/{localpart}/Maildir";

    /// <summary>Host name in unique file names; defaults to the machine name.</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    /// <summary>Default per-user quota in bytes (sum of messages in new/ and cur/); 0 means unlimited.</summary>
    public long QuotaBytes { get; set; }

    /// <summary>Over quota: bounce with 5.2.2 when true, else defer with 4.2.2 (Postfix and Dovecot default to defer).</summary>
    public bool QuotaExceededIsPermanent { get; set; }
}
