using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Postbote.Directory;

/// <summary>Normalization of addresses for the directory: lower-case local part, domain as a lower-case A-label.</summary>
internal static class DirectoryAddress
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    public static bool TryNormalizeDomain(string? domain, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(domain)) return false;
        string d = domain.Trim().TrimEnd('.');
        if (d.Length == 0 || d.Length > 253) return false;
        try
        {
            normalized = Idn.GetAscii(d).ToLowerInvariant();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static string NormalizeDomain(string domain) =>
        TryNormalizeDomain(domain, out var d) ? d : throw new DirectoryException($"'{domain}' is not a valid domain name.");

    /// <summary>Splits "local@domain" at the last '@'; the local part may be empty only when <paramref name="allowCatchAll"/>.</summary>
    public static bool TryNormalize(string? address, bool allowCatchAll, [NotNullWhen(true)] out string? local, [NotNullWhen(true)] out string? domain)
    {
        local = domain = null;
        if (string.IsNullOrWhiteSpace(address)) return false;
        string a = address.Trim();
        if (a.Length > 2 && a[0] == '<' && a[^1] == '>') a = a[1..^1];
        int at = a.LastIndexOf('@');
        if (at < 0 || (at == 0 && !allowCatchAll) || at > 64 * 4) return false;
        string l = a[..at];
        foreach (char c in l)
            if (char.IsControl(c) || c == ' ' || c == '<' || c == '>') return false;
        if (!TryNormalizeDomain(a[(at + 1)..], out domain)) return false;
        local = l.ToLowerInvariant();
        return true;
    }

    public static bool TryNormalize(string? address, [NotNullWhen(true)] out string? normalized)
    {
        normalized = TryNormalize(address, false, out var l, out var d) ? l + "@" + d : null;
        return normalized is not null;
    }

    public static (string Local, string Domain) Normalize(string address, bool allowCatchAll = false) =>
        TryNormalize(address, allowCatchAll, out var l, out var d)
            ? (l, d)
            : throw new DirectoryException($"'{address}' is not a valid address{(allowCatchAll ? " or @domain" : "")}.");
}
