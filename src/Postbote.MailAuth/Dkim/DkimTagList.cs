namespace Postbote.MailAuth.Dkim;

/// <summary>
/// A tag=value list (RFC 6376 §3.2), as in DKIM-Signature fields and key records: tags separated by ';', white space
/// (and folding) around names and values ignored; a tag given twice makes the list invalid.
/// </summary>
public static class DkimTagList
{
    /// <summary>The tags, names case-sensitive as the RFC says; null when the list is malformed.</summary>
    public static Dictionary<string, string>? Parse(string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';'))
        {
            if (string.IsNullOrWhiteSpace(part)) continue; // a trailing ';' is allowed
            int eq = part.IndexOf('=');
            if (eq <= 0) return null;
            var name = part[..eq].Trim(' ', '\t', '\r', '\n');
            var value = part[(eq + 1)..].Trim(' ', '\t', '\r', '\n');
            if (name.Length == 0 || !tags.TryAdd(name, value)) return null;
        }
        return tags;
    }

    /// <summary>The value with all white space removed (base64 of b=, bh=, p=, which may be folded anywhere).</summary>
    public static string WithoutWhiteSpace(string value) =>
        string.Create(value.Count(c => c is not (' ' or '\t' or '\r' or '\n')), value, static (span, source) =>
        {
            int n = 0;
            foreach (char c in source)
                if (c is not (' ' or '\t' or '\r' or '\n')) span[n++] = c;
        });
}
