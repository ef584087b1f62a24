using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Postbote.Core.Smtp;
using Postbote.MailAuth;
using Postbote.MailAuth.Results;
using Postbote.MailAuth.Spf;

namespace Postbote.Smtpd;

/// <summary>
/// SPF at MAIL time on Mx listeners (RFC 7208 §2.4): the check of the MAIL FROM domain (the HELO name for the null
/// sender), the policy reply it may lead to (MailAuth:SpfFailAction, MailAuth:SpfTempErrorAction; never on SPF alone
/// by default: DMARC decides), and the Received-SPF field (§9.1) prepended to the accepted message.
/// </summary>
public sealed partial class SpfCheckStep
{
    // RFC 7372 §3.2: X.7.23 "SPF validation failed", X.7.24 "SPF validation error".
    private static readonly SmtpReply TempErrorReply = new(451, "4.7.24", "SPF check of the sender's domain failed temporarily, try again later");

    private readonly SpfEvaluator _evaluator;
    private readonly MailAuthOptions _options;
    private readonly string _receiver;
    private readonly ILogger _logger;

    /// <summary>Creates the step; <paramref name="receiver"/> is our host name (receiver= in Received-SPF).</summary>
    public SpfCheckStep(SpfEvaluator evaluator, MailAuthOptions options, string receiver, ILogger logger)
        => (_evaluator, _options, _receiver, _logger) = (evaluator, options, receiver, logger);

    /// <summary>
    /// Checks the transaction's sender; returns the check (to keep in the transaction) and a refusal when the policy
    /// refuses this result, else null.
    /// </summary>
    public async Task<(SpfCheck Check, SmtpReply? Refusal)> CheckAsync(IPAddress client, string helo, MailFromCommand mail,
        CancellationToken cancellationToken)
    {
        var check = await _evaluator.CheckAsync(client, helo, mail.ReversePath?.ToString(), cancellationToken).ConfigureAwait(false);
        LogSpf(client, mail.ReversePathText, helo, check.ResultWord, check.Identity, check.Domain, check.Explanation);
        SmtpReply? refusal = check.Result switch
        {
            SpfResult.Fail when _options.SpfFailAction == "reject" =>
                new SmtpReply(550, "5.7.23", "SPF: " + HeaderText.Printable(check.Explanation, 200)),
            SpfResult.TempError when _options.SpfTempErrorAction == "defer" => TempErrorReply,
            _ => null,
        };
        return (check, refusal);
    }

    /// <summary>The Received-SPF header field of RFC 7208 §9.1 (folded, CRLF-terminated).</summary>
    public string ReceivedSpf(SpfCheck check, IPAddress client, string helo, string envelopeFrom)
    {
        var sb = new StringBuilder(256);
        sb.Append("Received-SPF: ").Append(check.ResultWord)
          .Append(" (").Append(_receiver).Append(": ").Append(HeaderText.Comment(check.Explanation)).Append(")\r\n\t")
          .Append("receiver=").Append(_receiver)
          .Append("; client-ip=").Append(client)
          .Append("; envelope-from=").Append(Quoted(envelopeFrom))
          .Append("; helo=").Append(Quoted(helo))
          .Append(";\r\n\tidentity=").Append(check.Identity).Append(";\r\n");
        return sb.ToString();
    }

    // key-value pairs of §9.1 are dot-atoms or quoted strings.
    private static string Quoted(string value)
    {
        var printable = HeaderText.Printable(value, 320);
        var sb = new StringBuilder(printable.Length + 2).Append('"');
        foreach (var c in printable)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "spf: from=<{From}> client=[{Client}] helo={Helo} result={Result} identity={Identity} domain={Domain} ({Explanation})")]
    private partial void LogSpf(IPAddress client, string from, string helo, string result, string identity, string domain, string explanation);
}
