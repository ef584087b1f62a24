using System.Globalization;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// One DKIM-Signature field parsed (RFC 6376 §3.5): the tags verification needs, checked as §6.1.1 says. A field
/// that cannot be used carries its <see cref="Error"/> (a permerror) and nothing else is trusted of it.
/// </summary>
public sealed class DkimSignatureField
{
    public Range Field { get; init; }
    public string Error { get; init; } = "";
    public string Algorithm { get; init; } = "";
    public string Domain { get; init; } = "";
    public string Selector { get; init; } = "";
    public IReadOnlyList<string> SignedHeaders { get; init; } = [];
    public byte[] BodyHash { get; init; } = [];
    public byte[] Signature { get; init; } = [];
    public DkimCanonicalization HeaderCanonicalization { get; init; }
    public DkimCanonicalization BodyCanonicalization { get; init; }
    /// <summary>l=: how many canonical body octets are signed; -1 for all.</summary>
    public long BodyLength { get; init; } = -1;
    public long? Expiration { get; init; }

    public static DkimSignatureField Parse(string value, Range field)
    {
        var tags = DkimTagList.Parse(value);
        if (tags is null) return Bad(field, "signature syntax");
        foreach (var required in new[] { "v", "a", "b", "bh", "d", "h", "s" })
            if (!tags.ContainsKey(required)) return Bad(field, $"signature without {required}=");
        if (tags["v"] != "1") return Bad(field, "signature version");
        string d = tags["d"].ToLowerInvariant().TrimEnd('.'), s = tags["s"];
        var headers = tags["h"].Split(':').Select(h => h.Trim(' ', '\t', '\r', '\n')).ToList();
        if (!headers.Any(h => h.Equals("from", StringComparison.OrdinalIgnoreCase))) return Bad(field, "From: not signed", d, s);
        if (tags.TryGetValue("i", out var i))
        {
            int at = i.LastIndexOf('@');
            var idomain = (at < 0 ? "" : i[(at + 1)..]).ToLowerInvariant();
            if (at < 0 || idomain != d && !idomain.EndsWith("." + d, StringComparison.Ordinal)) return Bad(field, "i= not within d=", d, s);
        }
        var c = tags.GetValueOrDefault("c", "simple/simple").Split('/');
        if (c.Length > 2 || !TryCanon(c[0], out var hc) || !TryCanon(c.Length == 2 ? c[1] : "simple", out var bc)) return Bad(field, "c= unknown", d, s);
        long length = -1;
        if (tags.TryGetValue("l", out var l) && !long.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out length)) return Bad(field, "l= not a number", d, s);
        long? expiration = null;
        if (tags.TryGetValue("x", out var x))
        {
            if (!long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var xv)) return Bad(field, "x= not a number", d, s);
            expiration = xv;
        }
        byte[] bh, b;
        try
        {
            bh = Convert.FromBase64String(DkimTagList.WithoutWhiteSpace(tags["bh"]));
            b = Convert.FromBase64String(DkimTagList.WithoutWhiteSpace(tags["b"]));
        }
        catch (FormatException) { return Bad(field, "b= or bh= not base64", d, s); }
        return new DkimSignatureField
        {
            Field = field, Algorithm = tags["a"].ToLowerInvariant(), Domain = d, Selector = s, SignedHeaders = headers,
            BodyHash = bh, Signature = b, HeaderCanonicalization = hc, BodyCanonicalization = bc, BodyLength = length, Expiration = expiration,
        };
    }

    private static bool TryCanon(string text, out DkimCanonicalization mode)
    {
        mode = text == "relaxed" ? DkimCanonicalization.Relaxed : DkimCanonicalization.Simple;
        return text is "simple" or "relaxed";
    }

    private static DkimSignatureField Bad(Range field, string error, string domain = "", string selector = "") =>
        new() { Field = field, Error = error, Domain = domain, Selector = selector };

    /// <summary>
    /// The field with the value of its b= tag removed (RFC 6376 §3.7), the form that was signed: every other octet,
    /// including folding inside the other tags, stays.
    /// </summary>
    public static byte[] WithoutSignatureValue(ReadOnlySpan<byte> field)
    {
        int colon = field.IndexOf((byte)':');
        int pos = colon + 1;
        while (pos < field.Length)
        {
            int end = field[pos..].IndexOf((byte)';');
            end = end < 0 ? field.Length : pos + end;
            var tag = field[pos..end];
            int eq = tag.IndexOf((byte)'=');
            if (eq > 0 && tag[..eq].Trim(" \t\r\n"u8).SequenceEqual("b"u8))
            {
                int valueStart = pos + eq + 1;
                int valueEnd = end == field.Length && field.EndsWith("\r\n"u8) ? field.Length - 2 : end;
                return [.. field[..valueStart], .. field[valueEnd..]];
            }
            pos = end + 1;
        }
        return field.ToArray();
    }
}
