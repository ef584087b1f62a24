using System.Net;
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
    public void TheDefault_IsLoopbackPort8025_AndEmptyDisables()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8025), ConfigurationLoader.Resolve(new PostboteOptions { Hostname = "mx.test.local" }).HttpEndpoint);
        Assert.Null(ConfigurationLoader.Resolve(Options("")).HttpEndpoint);
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
