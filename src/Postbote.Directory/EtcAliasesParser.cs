using System.Text;

namespace Postbote.Directory;

/// <summary>
/// Reads the classic sendmail/Postfix aliases(5) format: "name: value, value", comment lines (first non-blank
/// character '#', even when indented), blank lines, and
/// continuation lines that start with white space. Names and values may be double-quoted.
/// </summary>
internal static class EtcAliasesParser
{
    internal sealed record Entry(int Line, string Name, List<string> Values);

    public static List<Entry> Parse(TextReader reader, List<string> warnings)
    {
        var entries = new List<Entry>();
        var logical = new StringBuilder();
        int start = 0, lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.TrimStart().StartsWith('#')) continue; // aliases(5): first non-white-space character '#'
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                if (line.Trim().Length == 0) continue;
                if (logical.Length == 0) { warnings.Add($"line {lineNo}: continuation line without an alias; skipped"); continue; }
                logical.Append(' ').Append(line.Trim());
                continue;
            }
            Flush(logical, start, entries, warnings);
            if (line.Trim().Length == 0) continue;
            logical.Append(line.Trim());
            start = lineNo;
        }
        Flush(logical, start, entries, warnings);
        return entries;
    }

    private static void Flush(StringBuilder logical, int line, List<Entry> entries, List<string> warnings)
    {
        if (logical.Length == 0) return;
        string text = logical.ToString();
        logical.Clear();
        int colon = ColonOutsideQuotes(text);
        if (colon <= 0)
        {
            warnings.Add($"line {line}: no \"name:\" found; skipped");
            return;
        }
        string name = Unquote(text[..colon].Trim());
        var values = SplitValues(text[(colon + 1)..]);
        if (name.Length == 0 || values.Count == 0)
        {
            warnings.Add($"line {line}: alias '{name}' has no name or no targets; skipped");
            return;
        }
        entries.Add(new Entry(line, name, values));
    }

    private static int ColonOutsideQuotes(string text)
    {
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '"') quoted = !quoted;
            else if (text[i] == ':' && !quoted) return i;
        }
        return -1;
    }

    private static List<string> SplitValues(string text)
    {
        var values = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        foreach (char c in text)
        {
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted)
            {
                Add(values, current);
                continue;
            }
            current.Append(c);
        }
        Add(values, current);
        return values;
    }

    private static void Add(List<string> values, StringBuilder current)
    {
        string v = Unquote(current.ToString().Trim());
        current.Clear();
        if (v.Length > 0) values.Add(v);
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
}
