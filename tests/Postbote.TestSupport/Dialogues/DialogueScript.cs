using System.Text;
using System.Text.RegularExpressions;

namespace Postbote.TestSupport.Dialogues;

/// <summary>
/// A dialogue script (<c>*.smtp</c>), in the spirit of chasquid's <c>*.cmy</c> files:
/// <code>
/// # comment
/// ! key value          an option for the test that runs the script (server settings, spool expectations)
/// C: EHLO client.example   the client sends the text and CRLF
/// C&lt;: raw\r\n.          the client sends the text without an appended CRLF
/// S: 250 2.1.0 Ok      the next server line, exactly
/// S~ 250 2\.0\.0 Ok: queued as [0-9A-Z]{12}   the next server line matches the regex
/// S! closed            the server closes the connection
/// </code>
/// Client text may hold escapes: <c>\r \n \t \\ \xHH</c> (one raw byte) and <c>\{N*c}</c> (N copies of c).
/// Other text is sent as UTF-8.
/// </summary>
public sealed class DialogueScript
{
    private DialogueScript(string name, IReadOnlyList<DialogueStep> steps, IReadOnlyDictionary<string, string> options)
    {
        Name = name;
        Steps = steps;
        Options = options;
    }

    public string Name { get; }
    public IReadOnlyList<DialogueStep> Steps { get; }
    /// <summary>The <c>! key value</c> lines; keys compare case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Options { get; }

    public string? Option(string key) => Options.TryGetValue(key, out var v) ? v : null;

    public static DialogueScript Load(string path) => Parse(Path.GetFileNameWithoutExtension(path), File.ReadAllText(path, Encoding.UTF8));

    public static DialogueScript Parse(string name, string text)
    {
        var steps = new List<DialogueStep>();
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int n = i + 1;
            string line = lines[i];
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("! ", StringComparison.Ordinal))
            {
                var kv = line[2..].Trim();
                int sp = kv.IndexOf(' ');
                options[sp < 0 ? kv : kv[..sp]] = sp < 0 ? "" : kv[(sp + 1)..];
            }
            else if (line == "C:" || line.StartsWith("C: ", StringComparison.Ordinal))
            {
                var body = line.Length > 3 ? line[3..] : "";
                steps.Add(new DialogueStep.ClientSends(n, [.. Unescape(body, name, n), (byte)'\r', (byte)'\n'], line));
            }
            else if (line.StartsWith("C<: ", StringComparison.Ordinal))
                steps.Add(new DialogueStep.ClientSends(n, Unescape(line[4..], name, n), line));
            else if (line.StartsWith("S: ", StringComparison.Ordinal))
                steps.Add(new DialogueStep.ServerLine(n, line[3..]));
            else if (line.StartsWith("S~ ", StringComparison.Ordinal))
                steps.Add(new DialogueStep.ServerMatches(n, new Regex("^(?:" + line[3..] + ")$", RegexOptions.CultureInvariant)));
            else if (line.Trim() == "S! closed")
                steps.Add(new DialogueStep.ServerCloses(n));
            else throw new FormatException($"{name}:{n}: cannot read script line \"{line}\"");
        }
        return new DialogueScript(name, steps, options);
    }

    /// <summary>Turns the escapes of a client line into bytes.</summary>
    public static byte[] Unescape(string text, string name = "script", int lineNumber = 0)
    {
        var bytes = new List<byte>(text.Length + 16);
        var pending = new StringBuilder();
        void FlushText()
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(pending.ToString()));
            pending.Clear();
        }
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 >= text.Length) { pending.Append(c); continue; }
            char e = text[++i];
            switch (e)
            {
                case 'r': pending.Append('\r'); break;
                case 'n': pending.Append('\n'); break;
                case 't': pending.Append('\t'); break;
                case '\\': pending.Append('\\'); break;
                case 'x':
                    FlushText();
                    bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                case '{':
                {
                    int close = text.IndexOf('}', i);
                    var spec = text[(i + 1)..close];
                    int star = spec.IndexOf('*');
                    int count = int.Parse(spec[..star], System.Globalization.CultureInfo.InvariantCulture);
                    pending.Append(spec[(star + 1)..][0], count);
                    i = close;
                    break;
                }
                default: throw new FormatException($"{name}:{lineNumber}: unknown escape \\{e}");
            }
        }
        FlushText();
        return bytes.ToArray();
    }
}
