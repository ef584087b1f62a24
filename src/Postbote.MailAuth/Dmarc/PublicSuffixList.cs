using Postbote.Core.Addressing;

namespace Postbote.MailAuth.Dmarc;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org/list/, Debian's package <c>publicsuffix</c>): which names are
/// registries, so that the organisational domain of RFC 7489 §3.2 is the public suffix plus one label. Loaded once
/// (about 10,000 rules, the ICANN and private sections both, as OpenDMARC reads them); rules are held as lower-case
/// A-labels and looked up with one hash probe per label of the asked name.
/// </summary>
public sealed class PublicSuffixList
{
    /// <summary>Where Debian's publicsuffix package puts the list.</summary>
    public const string DebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal); // "*.ck" stored as "ck"
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal); // "!www.ck" stored as "www.ck"

    private PublicSuffixList(string source) => Source = source;

    /// <summary>Where the rules came from: a file path, or a note that there is no list.</summary>
    public string Source { get; }

    /// <summary>Rules loaded (0 for <see cref="Empty"/>).</summary>
    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    /// <summary>
    /// No list: only the implicit "*" rule, so the organisational domain is always the last two labels. Wrong for
    /// co.uk and the like (alignment across example.co.uk and other.co.uk would pass); used only when the file is
    /// missing, with a warning at start.
    /// </summary>
    public static PublicSuffixList Empty { get; } = new("(none: last two labels)");

    /// <summary>Reads a list in the publicsuffix.org format (one rule a line, "//" comments).</summary>
    public static PublicSuffixList Load(string path) => Parse(File.ReadLines(path), path);

    public static PublicSuffixList Parse(IEnumerable<string> lines, string source = "(inline)")
    {
        var list = new PublicSuffixList(source);
        foreach (var raw in lines)
        {
            // "Each line is only read up to the first whitespace" (publicsuffix.org/list format).
            var line = raw.AsSpan().Trim();
            int space = line.IndexOfAny(' ', '\t');
            if (space >= 0) line = line[..space];
            if (line.IsEmpty || line.StartsWith("//")) continue;
            if (line[0] == '!') list._exceptions.Add(Normalize(line[1..].ToString()));
            else if (line.StartsWith("*.")) list._wildcards.Add(Normalize(line[2..].ToString()));
            else list._rules.Add(Normalize(line.ToString()));
        }
        return list;
    }

    /// <summary>
    /// The organisational domain of <paramref name="domain"/> (RFC 7489 §3.2): its public suffix plus one label, as a
    /// lower-case A-label; the name itself when it is a public suffix or has a single label.
    /// </summary>
    public string OrganizationalDomain(string domain)
    {
        domain = Normalize(domain);
        int suffixLabels = PublicSuffixLabels(domain);
        // Walk back from the end to the start of the label before the public suffix.
        int start = domain.Length;
        for (int labels = 0; labels <= suffixLabels; labels++)
        {
            int dot = start == 0 ? -1 : domain.LastIndexOf('.', start - 1);
            if (dot < 0) return domain; // the name is the suffix itself (or shorter)
            if (labels == suffixLabels) return domain[(dot + 1)..];
            start = dot;
        }
        return domain;
    }

    /// <summary>How many labels of <paramref name="domain"/> (normalised) form its public suffix.</summary>
    private int PublicSuffixLabels(string domain)
    {
        int labels = 1 + domain.Count(c => c == '.');
        int position = 0;
        // Longest suffix first: the first rule that matches is the prevailing one; an exception beats the wildcard it excepts.
        for (int i = 0; i < labels; i++)
        {
            var suffix = domain[position..];
            if (_exceptions.Contains(suffix)) return labels - i - 1;
            if (_rules.Contains(suffix)) return labels - i;
            int dot = suffix.IndexOf('.');
            if (dot >= 0 && _wildcards.Contains(suffix[(dot + 1)..])) return labels - i;
            position += dot + 1;
            if (dot < 0) break;
        }
        return 1; // the implicit "*" rule
    }

    private static string Normalize(string domain) => Mailbox.ToAscii(domain.Trim().TrimEnd('.'));
}
