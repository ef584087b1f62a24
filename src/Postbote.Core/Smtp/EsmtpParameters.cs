namespace Postbote.Core.Smtp;

/// <summary>Splits "KEY=value KEY2" ESMTP parameter lists (RFC 5321 §4.1.2 Mail-parameters).</summary>
public static class EsmtpParameters
{
    /// <summary>The parameters as strings (allocates; <see cref="Split"/> is the allocation-free form).</summary>
    public static IEnumerable<(string Key, string Value)> Enumerate(ReadOnlySpan<char> text)
    {
        var list = new List<(string, string)>();
        foreach (var p in Split(text)) list.Add((p.Key.ToString(), p.Value.ToString()));
        return list;
    }

    /// <summary>
    /// The parameters as slices of <paramref name="text"/>, without allocating: empty parts (repeated spaces)
    /// are skipped; a part without '=' has an empty value.
    /// </summary>
    public static Enumerator Split(ReadOnlySpan<char> text) => new(text);

    /// <summary>One "KEY=value" parameter: slices of the command line.</summary>
    public readonly ref struct Parameter
    {
        public Parameter(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
        {
            Key = key;
            Value = value;
        }

        public ReadOnlySpan<char> Key { get; }
        public ReadOnlySpan<char> Value { get; }

        public void Deconstruct(out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
        {
            key = Key;
            value = Value;
        }
    }

    public ref struct Enumerator
    {
        private ReadOnlySpan<char> _rest;
        private Parameter _current;

        internal Enumerator(ReadOnlySpan<char> text)
        {
            _rest = text;
            _current = default;
        }

        public readonly Parameter Current => _current;
        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_rest.IsEmpty)
            {
                int space = _rest.IndexOf(' ');
                var part = space < 0 ? _rest : _rest[..space];
                _rest = space < 0 ? default : _rest[(space + 1)..];
                if (part.IsEmpty) continue;
                int eq = part.IndexOf('=');
                _current = eq < 0 ? new Parameter(part, default) : new Parameter(part[..eq], part[(eq + 1)..]);
                return true;
            }
            return false;
        }
    }
}
