using System.Net;

namespace Postbote.Smtpd.Filters;

/// <summary>
/// What the SMTP session knows that filters are told: the milter macros Postfix sends (MILTER_README "Macros"),
/// kept up to date by the session as the dialogue goes on, and the same facts rspamd gets as request headers.
/// </summary>
public sealed class FilterFacts
{
    public required string Hostname { get; init; }
    public required string Listener { get; init; }
    public required IPEndPoint Client { get; init; }
    public IPEndPoint? Local { get; init; }
    /// <summary>The client's verified host name; null: unknown (sent as "unknown", as Postfix does).</summary>
    public string? ClientName { get; set; }
    public string? Helo { get; set; }
    public string? TlsVersion { get; set; }
    public string? TlsCipher { get; set; }
    public string? AuthType { get; set; }
    public string? AuthUser { get; set; }
    public string? QueueId { get; set; }
    public string? Sender { get; set; }
    public string? Recipient { get; set; }

    /// <summary>The macros sent at each stage unless the filter asked for others (Postfix's milter_*_macros defaults).</summary>
    public static readonly IReadOnlyDictionary<MilterProtocol.MacroStage, string[]> DefaultMacros = new Dictionary<MilterProtocol.MacroStage, string[]>
    {
        [MilterProtocol.MacroStage.Connect] = ["j", "{daemon_name}", "{daemon_addr}", "v", "_", "{client_addr}", "{client_name}", "{client_port}", "{client_ptr}", "{if_addr}", "{if_name}"],
        [MilterProtocol.MacroStage.Helo] = ["{tls_version}", "{cipher}", "{client_connections}"],
        [MilterProtocol.MacroStage.Mail] = ["i", "{auth_type}", "{auth_authen}", "{mail_addr}", "{mail_host}", "{mail_mailer}"],
        [MilterProtocol.MacroStage.Rcpt] = ["{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}"],
        [MilterProtocol.MacroStage.Data] = ["i"],
        [MilterProtocol.MacroStage.EndOfHeaders] = ["i"],
        [MilterProtocol.MacroStage.EndOfMessage] = ["i"],
    };

    private string ClientAddress => (Client.Address.IsIPv4MappedToIPv6 ? Client.Address.MapToIPv4() : Client.Address).ToString();

    /// <summary>A macro's value now; null when it has none (it is then not sent).</summary>
    public string? Macro(string name) => name.Trim('{', '}') switch
    {
        "j" => Hostname,
        "daemon_name" => Listener,
        "daemon_addr" or "if_addr" => Local?.Address.ToString(),
        "if_name" => Hostname,
        "v" => "Postbote",
        "_" => $"{ClientName ?? "unknown"} [{ClientAddress}]",
        "client_addr" => ClientAddress,
        "client_name" or "client_ptr" => ClientName ?? "unknown",
        "client_port" => Client.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "tls_version" => TlsVersion,
        "cipher" => TlsCipher,
        "auth_type" => AuthUser is null ? null : AuthType,
        "auth_authen" => AuthUser,
        "i" => QueueId,
        "mail_addr" => Sender,
        "mail_host" => Sender is null ? null : DomainOf(Sender),
        "mail_mailer" => Sender is null ? null : "smtp",
        "rcpt_addr" => Recipient,
        "rcpt_host" => Recipient is null ? null : DomainOf(Recipient),
        "rcpt_mailer" => Recipient is null ? null : "smtp",
        _ => null,
    };

    private static string DomainOf(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..];
    }

    /// <summary>The name/value pairs for a stage: the filter's own list when it gave one, else the defaults.</summary>
    public List<KeyValuePair<string, string?>> MacrosFor(MilterProtocol.MacroStage stage, MilterNegotiation negotiated)
    {
        var names = negotiated.RequestedMacros.TryGetValue(stage, out var asked) ? asked : DefaultMacros[stage];
        var list = new List<KeyValuePair<string, string?>>(names.Length);
        foreach (var n in names) list.Add(new(n, Macro(n)));
        return list;
    }
}
