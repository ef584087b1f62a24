using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Postbote.MailAuth.Spf;

/// <summary>
/// A parsed "v=spf1" record (RFC 7208 §4.6, §12 ABNF): its directives in order and the redirect and exp modifiers.
/// The whole record is checked before anything is evaluated: any syntax error is a permerror (§4.6).
/// </summary>
public sealed partial class SpfRecord
{
    private SpfRecord(IReadOnlyList<SpfDirective> directives, string? redirect, string? exp)
        => (Directives, Redirect, Explanation) = (directives, redirect, exp);

    /// <summary>The directives, in record order.</summary>
    public IReadOnlyList<SpfDirective> Directives { get; }

    /// <summary>The redirect= domain-spec, if any (§6.1).</summary>
    public string? Redirect { get; }

    /// <summary>The exp= domain-spec, if any (§6.2).</summary>
    public string? Explanation { get; }

    /// <summary>True when <paramref name="txt"/> is an SPF version 1 record: "v=spf1" then a space or the end (§4.5).</summary>
    public static bool IsSpfRecord(string txt)
        => txt.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (txt.Length == 6 || txt[6] == ' ');

    /// <summary>Parses <paramref name="txt"/>; on a syntax error returns null with the reason in <paramref name="error"/>.</summary>
    public static SpfRecord? Parse(string txt, out string error)
    {
        error = "";
        var directives = new List<SpfDirective>();
        string? redirect = null, exp = null;
        foreach (var term in txt[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var modifier = ModifierPattern().Match(term);
            if (modifier.Success)
            {
                var name = modifier.Groups[1].Value;
                var value = modifier.Groups[2].Value;
                if (name.Equals("redirect", StringComparison.OrdinalIgnoreCase) || name.Equals("exp", StringComparison.OrdinalIgnoreCase))
                {
                    var isRedirect = name.Length == 8;
                    if ((isRedirect ? redirect : exp) is not null) return Fail($"'{name}' appears twice", out error);
                    if (!IsDomainSpec(value)) return Fail($"'{term}': not a valid domain-spec", out error);
                    if (isRedirect) redirect = value;
                    else exp = value;
                }
                else if (!SpfMacro.IsValid(value))
                {
                    return Fail($"'{term}': bad macro string", out error);
                }
                continue; // unknown modifiers are ignored (§6)
            }
            var directive = ParseDirective(term);
            if (directive is null) return Fail($"'{term}' is not a valid mechanism", out error);
            directives.Add(directive);
        }
        return new SpfRecord(directives, redirect, exp);
    }

    private static SpfRecord? Fail(string reason, out string error)
    {
        error = reason;
        return null;
    }

    private static SpfDirective? ParseDirective(string term)
    {
        var qualifier = term[0] switch
        {
            '+' => SpfResult.Pass,
            '-' => SpfResult.Fail,
            '~' => SpfResult.SoftFail,
            '?' => SpfResult.Neutral,
            _ => (SpfResult?)null,
        };
        var rest = qualifier is null ? term : term[1..];
        var q = qualifier ?? SpfResult.Pass;
        var nameEnd = rest.IndexOfAny([':', '/']);
        var name = (nameEnd < 0 ? rest : rest[..nameEnd]).ToLowerInvariant();
        var arg = nameEnd < 0 ? null : rest[nameEnd..];
        switch (name)
        {
            case "all":
                return arg is null ? new SpfDirective(q, SpfMechanism.All) : null;
            case "include":
            case "exists":
                if (arg is null || arg[0] != ':' || !IsDomainSpec(arg[1..])) return null;
                return new SpfDirective(q, name == "include" ? SpfMechanism.Include : SpfMechanism.Exists, arg[1..]);
            case "ptr":
                if (arg is null) return new SpfDirective(q, SpfMechanism.Ptr);
                return arg[0] == ':' && IsDomainSpec(arg[1..]) ? new SpfDirective(q, SpfMechanism.Ptr, arg[1..]) : null;
            case "a":
            case "mx":
                return ParseAddressMechanism(q, name == "a" ? SpfMechanism.A : SpfMechanism.Mx, arg);
            case "ip4":
            case "ip6":
                return ParseNetwork(q, name == "ip4", arg);
            default:
                return null;
        }
    }

    private static SpfDirective? ParseAddressMechanism(SpfResult q, SpfMechanism mechanism, string? arg)
    {
        if (arg is null) return new SpfDirective(q, mechanism);
        var cidr = DualCidrPattern().Match(arg);
        int cidr4 = 32, cidr6 = 128;
        if (cidr.Groups[1].Success && !TryCidr(cidr.Groups[1].Value, 32, out cidr4)) return null;
        if (cidr.Groups[2].Success && !TryCidr(cidr.Groups[2].Value, 128, out cidr6)) return null;
        var spec = arg[..cidr.Index];
        if (spec.Length == 0) return new SpfDirective(q, mechanism, null, cidr4, cidr6);
        if (spec[0] != ':' || !IsDomainSpec(spec[1..])) return null;
        return new SpfDirective(q, mechanism, spec[1..], cidr4, cidr6);
    }

    private static SpfDirective? ParseNetwork(SpfResult q, bool v4, string? arg)
    {
        if (arg is null || arg[0] != ':') return null;
        var text = arg[1..];
        var slash = text.IndexOf('/');
        var max = v4 ? 32 : 128;
        var length = max;
        if (slash >= 0)
        {
            if (!TryCidr(text[(slash + 1)..], max, out length)) return null;
            text = text[..slash];
        }
        if (v4 ? !Ip4Pattern().IsMatch(text) : !text.Contains(':')) return null;
        if (!IPAddress.TryParse(text, out var network)) return null;
        if (network.AddressFamily != (v4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6)) return null;
        return v4 ? new SpfDirective(q, SpfMechanism.Ip4, Cidr4: length, Network: network)
                  : new SpfDirective(q, SpfMechanism.Ip6, Cidr6: length, Network: network);
    }

    // ip4-cidr-length / ip6-cidr-length: no leading zeros, within the family's bits.
    private static bool TryCidr(string text, int max, out int length)
    {
        length = 0;
        if (text.Length == 0 || text.Length > 3 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var c in text) if (!char.IsAsciiDigit(c)) return false;
        length = int.Parse(text, CultureInfo.InvariantCulture);
        return length <= max;
    }

    /// <summary>domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand (§7.1).</summary>
    internal static bool IsDomainSpec(string spec)
    {
        if (spec.Length == 0 || !SpfMacro.IsValid(spec)) return false;
        if (spec.EndsWith('}')) return MacroEndPattern().IsMatch(spec);
        var trimmed = spec.EndsWith('.') ? spec[..^1] : spec;
        var dot = trimmed.LastIndexOf('.');
        if (dot < 0) return false;
        return TopLabelPattern().IsMatch(trimmed[(dot + 1)..]);
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$")]
    private static partial Regex ModifierPattern();

    [GeneratedRegex(@"(?:/([0-9]+))?(?://([0-9]+))?$")]
    private static partial Regex DualCidrPattern();

    [GeneratedRegex(@"^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$")]
    private static partial Regex Ip4Pattern();

    [GeneratedRegex(@"%\{[A-Za-z][0-9]*[rR]?[.\-+,/_=]*\}$")]
    private static partial Regex MacroEndPattern();

    // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    [GeneratedRegex(@"^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])$")]
    private static partial Regex TopLabelPattern();
}
