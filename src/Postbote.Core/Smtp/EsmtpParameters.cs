namespace Postbote.Core.Smtp;

/// <summary>Splits "KEY=value KEY2" ESMTP parameter lists (RFC 5321 §4.1.2 Mail-parameters).</summary>
public static class EsmtpParameters
{
    public static IEnumerable<(string Key, string Value)> Enumerate(ReadOnlySpan<char> text)
    {
        var list = new List<(string, string)>();
        foreach (var range in text.Split(' '))
        {
            var part = text[range];
            if (part.IsEmpty) continue;
            int eq = part.IndexOf('=');
            list.Add(eq < 0 ? (part.ToString(), "") : (part[..eq].ToString(), part[(eq + 1)..].ToString()));
        }
        return list;
    }
}
