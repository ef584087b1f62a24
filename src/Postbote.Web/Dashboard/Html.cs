using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Postbote.Web.Dashboard;

/// <summary>
/// Server-side HTML built from interpolated strings: the literal parts are markup, every interpolated value is
/// HTML-encoded (so an address, a header or a log line can never inject markup) unless it is a <see cref="Markup"/>
/// made here. <c>html.Add($"&lt;td&gt;{entry.Sender}&lt;/td&gt;")</c>.
/// </summary>
public sealed class Html
{
    private readonly StringBuilder _sb = new(4096);

    public Html Add([InterpolatedStringHandlerArgument("")] ref Handler handler) => this;

    /// <summary>Appends each item's markup.</summary>
    public Html AddEach<T>(IEnumerable<T> items, Func<T, Markup> render)
    {
        foreach (var item in items) _sb.Append(render(item).Value);
        return this;
    }

    public Markup ToMarkup() => new(_sb.ToString());
    public override string ToString() => _sb.ToString();

    /// <summary>One fragment (the same encoding rules).</summary>
    public static Markup Of(ref FragmentHandler handler) => handler.ToMarkup();

    /// <summary>Encodes text for an element or a quoted attribute.</summary>
    public static string Encode(string? text) => text is null ? "" : HtmlEncoder.Default.Encode(text);

    private static string Format<T>(T value, string? format) => value switch
    {
        null => "",
        Markup m => m.Value,
        IFormattable f => Encode(f.ToString(format, CultureInfo.InvariantCulture)),
        _ => Encode(value.ToString()),
    };

    [InterpolatedStringHandler]
    public ref struct Handler
    {
        private readonly StringBuilder _sb;
        public Handler(int literalLength, int formattedCount, Html html) => _sb = html._sb;
        public void AppendLiteral(string markup) => _sb.Append(markup);
        public void AppendFormatted<T>(T value) => _sb.Append(Format(value, null));
        public void AppendFormatted<T>(T value, string format) => _sb.Append(Format(value, format));
    }

    [InterpolatedStringHandler]
    public ref struct FragmentHandler
    {
        private readonly StringBuilder _sb;
        public FragmentHandler(int literalLength, int formattedCount) => _sb = new StringBuilder(literalLength + formattedCount * 16);
        public void AppendLiteral(string markup) => _sb.Append(markup);
        public void AppendFormatted<T>(T value) => _sb.Append(Format(value, null));
        public void AppendFormatted<T>(T value, string format) => _sb.Append(Format(value, format));
        internal Markup ToMarkup() => new(_sb.ToString());
    }
}
