using MimeKit;
using Postbote.Core.Addressing;
using Postbote.Core.Smtp;

namespace Postbote.MailAuth.Dmarc;

/// <summary>
/// The author domains DMARC checks (RFC 7489 §3.1, §6.6.1): the domains of the mailboxes of the one From: field, as
/// lower-case A-labels, or the reason there are none to check. A message without From:, with several From: fields,
/// or with a From: that names no mailbox with a domain cannot be judged: §6.6.1 says such messages "are typically
/// rejected", and Gmail does; the evaluator reports them as permerror with a reject disposition.
/// </summary>
public sealed record DmarcAuthor(IReadOnlyList<string> Domains, string Problem)
{
    /// <summary>Distinct author domains evaluated; a From: listing more is not judged (a policy-lookup flood).</summary>
    public const int MaxDomains = 5;

    public bool IsValid => Problem.Length == 0;

    /// <summary>The author domains of a header section read by <see cref="HeaderSectionParser"/>.</summary>
    public static DmarcAuthor FromHeader(HeaderSectionParser headers)
    {
        if (headers.From.Count == 0) return Invalid("no From: field (RFC 5322 section 3.6 requires one)");
        if (headers.From.Count > 1) return Invalid($"{headers.From.Count} From: fields (RFC 5322 section 3.6 allows one)");
        if (headers.AuthorFieldAfterEnd) return Invalid("a From: line after the end of the header section");
        if (headers.From.IsTooLong) return Invalid("From: field too long to judge");
        return FromField(headers.From.Value ?? "");
    }

    /// <summary>The author domains of one From: field's unfolded value.</summary>
    public static DmarcAuthor FromField(string value)
    {
        if (!InternetAddressList.TryParse(ParserOptions.Default, value, out var list)) return Invalid("From: field does not parse");
        var domains = new List<string>();
        foreach (var mailbox in list.Mailboxes)
        {
            var domain = mailbox.Domain?.Trim().TrimEnd('.') ?? "";
            if (domain.Length == 0) return Invalid("From: address without a domain");
            if (domain.StartsWith('[')) return Invalid("From: address with a domain literal");
            domain = Mailbox.ToAscii(domain);
            if (!domains.Contains(domain)) domains.Add(domain);
        }
        if (domains.Count == 0) return Invalid("From: field names no mailbox");
        if (domains.Count > MaxDomains) return Invalid($"From: field names {domains.Count} domains (at most {MaxDomains} are judged)");
        return new DmarcAuthor(domains, "");
    }

    private static DmarcAuthor Invalid(string problem) => new([], problem);
}
