using System.Globalization;
using System.Text;

namespace Postbote.Core.Addressing;

/// <summary>
/// An RFC 5321 §4.1.2 mailbox: a local part and a domain (or an address literal such as "[192.0.2.1]").
/// The local part is kept as written (case preserved, quotes removed); <see cref="Domain"/> as written,
/// <see cref="AsciiDomain"/> in the IDNA A-label form used for routing and comparison.
/// </summary>
public sealed class Mailbox : IEquatable<Mailbox>
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    public Mailbox(string localPart, string domain)
    {
        LocalPart = localPart;
        Domain = domain;
        AsciiDomain = IsAddressLiteral ? domain : ToAscii(domain);
    }

    public string LocalPart { get; }
    public string Domain { get; }
    /// <summary>The domain lower-cased and in A-label form ("xn--..."), or the address literal as given.</summary>
    public string AsciiDomain { get; }
    public bool IsAddressLiteral => Domain.StartsWith('[');

    /// <summary>True when the local part or the domain needs SMTPUTF8 (RFC 6531).</summary>
    public bool IsInternational => !Ascii.IsValid(LocalPart) || !Ascii.IsValid(Domain);

    /// <summary>"postmaster" without a domain, accepted as a forward path by RFC 5321 §4.1.1.3.</summary>
    public static Mailbox Postmaster(string domain) => new("postmaster", domain);

    /// <summary>The address as it is written in an envelope, quoting the local part when needed.</summary>
    public override string ToString() => $"{QuoteLocalPart(LocalPart)}@{Domain}";

    public static string QuoteLocalPart(string localPart)
    {
        if (MailboxParser.IsDotString(localPart)) return localPart;
        var sb = new System.Text.StringBuilder(localPart.Length + 2).Append('"');
        foreach (char c in localPart)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    public static string ToAscii(string domain)
    {
        if (domain.Length == 0) return domain;
        try { return Ascii.IsValid(domain) ? domain.ToLowerInvariant() : Idn.GetAscii(domain).ToLowerInvariant(); }
        catch (ArgumentException) { return domain.ToLowerInvariant(); }
    }

    public bool Equals(Mailbox? other) => other is not null
        && string.Equals(LocalPart, other.LocalPart, StringComparison.OrdinalIgnoreCase)
        && string.Equals(AsciiDomain, other.AsciiDomain, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as Mailbox);
    public override int GetHashCode() => HashCode.Combine(LocalPart.ToLowerInvariant(), AsciiDomain);
}
