using System.Globalization;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Web;

namespace Postbote.IntegrationTests.Metrics;

/// <summary>One GET /metrics of a running server, parsed: series (name{labels} exactly as exposed) → value.</summary>
internal sealed class MetricsScrape
{
    private MetricsScrape(string text, Dictionary<string, double> series)
    {
        Text = text;
        Series = series;
    }

    public string Text { get; }
    public IReadOnlyDictionary<string, double> Series { get; }

    /// <summary>A series' value; 0 when it has not been exposed yet (a counter never incremented).</summary>
    public double this[string series] => Series.TryGetValue(series, out var v) ? v : 0;

    /// <summary>The sum of every series of a family (all label sets).</summary>
    public double Sum(string family) => Series.Where(s => s.Key == family || s.Key.StartsWith(family + "{", StringComparison.Ordinal)).Sum(s => s.Value);

    public static Uri EndpointOf(PostboteTestServer server) =>
        new($"http://{server.Services.GetRequiredService<MetricsHttpServer>().BoundEndpoint}/metrics");

    public static async Task<MetricsScrape> TakeAsync(PostboteTestServer server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var response = await http.GetAsync(EndpointOf(server));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            series[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return new MetricsScrape(text, series);
    }
}
