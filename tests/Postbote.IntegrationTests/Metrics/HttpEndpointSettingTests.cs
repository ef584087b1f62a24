using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Postbote.Configuration;
using Postbote.Hosting;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.Metrics;

/// <summary>Http:Endpoint: validated at start with the key named; empty disables the listener; a busy port stops the start.</summary>
public sealed class HttpEndpointSettingTests
{
    private static PostboteOptions Options(string? endpoint)
    {
        var o = PostboteTestServer.DefaultOptions(Path.Combine(Path.GetTempPath(), "postbote-http-" + Guid.NewGuid().ToString("N")[..12]));
        o.Http = new HttpOptions { Endpoint = endpoint };
        return o;
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:8025")]
    public void AMalformedHttpEndpoint_StopsTheStart_NamingTheKey(string endpoint)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Resolve(Options(endpoint)));
        Assert.Contains(e.Problems, p => p.StartsWith("Http:Endpoint:", StringComparison.Ordinal));
    }

    [Fact]
    public void HttpLimitsOutOfRange_StopTheStart_NamingTheirKeys()
    {
        var o = Options("127.0.0.1:0");
        o.Http.MaxConnections = 0;
        o.Http.MaxRequestHeaderBytes = 10;
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Resolve(o));
        Assert.Contains(e.Problems, p => p.StartsWith("Http:MaxConnections", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Http:MaxRequestHeaderBytes", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDefault_IsLoopbackPort8025_AndEmptyDisables()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8025), ConfigurationLoader.Resolve(new PostboteOptions { Hostname = "mx.test.local" }).HttpEndpoint);
        Assert.Null(ConfigurationLoader.Resolve(Options("")).HttpEndpoint);
    }

    [Fact]
    public async Task ARequestOverMaxRequestHeaderBytes_Gets431_AndTheNextScrapeStillWorks()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.Http = new HttpOptions { Endpoint = "127.0.0.1:0", MaxRequestHeaderBytes = 4096 });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var big = new HttpRequestMessage(HttpMethod.Get, MetricsScrape.EndpointOf(server));
        big.Headers.Add("X-Padding", new string('a', 8192));
        using var refused = await http.SendAsync(big);
        Assert.Equal((HttpStatusCode)431, refused.StatusCode);
        Assert.Contains("# TYPE", (await MetricsScrape.TakeAsync(server)).Text);
    }

    [Fact]
    public async Task AnHttpEndpointInUse_StopsTheStart_NamingTheKey()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var config = ConfigurationLoader.Resolve(Options(busy.LocalEndpoint.ToString()));
        await using var app = await ServerHost.BuildAsync(config);
        var e = await Assert.ThrowsAsync<IOException>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.StartsWith("Http:Endpoint: cannot listen on " + busy.LocalEndpoint, e.Message);
        try { System.IO.Directory.Delete(config.DataDirectory, recursive: true); } catch (IOException) { }
    }
}
