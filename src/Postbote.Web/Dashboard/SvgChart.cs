using System.Globalization;
using System.Text;

namespace Postbote.Web.Dashboard;

/// <summary>A line chart of per-minute values over 24 hours, rendered on the server as inline SVG (no script, no library).</summary>
public static class SvgChart
{
    private const int Width = TrafficHistory.Minutes, Height = 180, Top = 12, Bottom = 22, Left = 44;

    /// <summary>One polyline per series (CSS class names the colour), hour ticks every 3 hours in UTC, the y axis from 0 to the maximum.</summary>
    public static Markup Lines(string title, DateTimeOffset firstMinute, IReadOnlyList<(string Name, string CssClass, long[] Values)> series)
    {
        long max = Math.Max(2, series.Max(s => s.Values.Length == 0 ? 0 : s.Values.Max()));
        double plotHeight = Height - Top - Bottom;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Left + Width + 8} {Height}\" role=\"img\" aria-label=\"{Html.Encode(title)}\">");
        sb.Append("<title>").Append(Html.Encode(title)).Append("</title>");
        // Grid and y labels: 0, max/2, max.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            double y = Top + plotHeight * (1 - fraction);
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + Width}\" y2=\"{y:0.#}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Math.Round(max * fraction, MidpointRounding.AwayFromZero):0}</text>");
        }
        // x ticks at whole hours divisible by 3 (UTC).
        for (int i = 0; i < Width; i++)
        {
            var t = firstMinute.AddMinutes(i);
            if (t.Minute != 0 || t.Hour % 3 != 0) continue;
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"tick\" x1=\"{Left + i}\" y1=\"{Top}\" x2=\"{Left + i}\" y2=\"{Height - Bottom}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left + i}\" y=\"{Height - 6}\" text-anchor=\"middle\">{t:HH:mm}</text>");
        }
        foreach (var (name, css, values) in series)
        {
            sb.Append("<polyline class=\"").Append(Html.Encode(css)).Append("\" points=\"");
            for (int i = 0; i < values.Length; i++)
            {
                double y = Top + plotHeight * (1 - (double)values[i] / max);
                sb.Append(CultureInfo.InvariantCulture, $"{Left + i},{y:0.#} ");
            }
            sb.Append("\"><title>").Append(Html.Encode(name)).Append("</title></polyline>");
        }
        sb.Append("</svg>");
        return new Markup(sb.ToString());
    }
}
