using Postbote.Configuration;
using Postbote.IntegrationTests.Infrastructure;
using Postbote.Queue;
using Postbote.Queue.Control;

namespace Postbote.IntegrationTests.Cluster;

/// <summary>Issue 16, identity: each node has a NodeName (the Hostname by default), recorded in the envelope of every
/// message it accepts and shown by `queue show`.</summary>
public sealed class NodeNameTests
{
    [Fact]
    public async Task The_accepting_node_is_recorded_in_the_envelope_and_the_queue_entry()
    {
        await using var server = await PostboteTestServer.StartAsync(o => o.NodeName = "node-a");
        await using (var smtp = await RawSmtpClient.ConnectAsync(server.MxPort))
        {
            await smtp.ReadAsync();
            await smtp.CommandAsync("EHLO client.example");
            Assert.StartsWith("250", await smtp.CommandAsync("MAIL FROM:<someone@far.example>"));
            Assert.StartsWith("250", await smtp.CommandAsync("RCPT TO:<postmaster@test.local>"));
            Assert.StartsWith("354", await smtp.CommandAsync("DATA"));
            Assert.StartsWith("250", await smtp.CommandAsync("Subject: node\r\n\r\nbody\r\n."));
        }
        var queued = Assert.Single(server.Queued());
        Assert.Equal("node-a", queued.AcceptedBy);
        Assert.Equal("node-a", QueueEntry.From(queued, QueueState.Active).AcceptedBy);
    }

    [Fact]
    public void NodeName_defaults_to_the_hostname_and_a_bad_one_stops_the_start()
    {
        var options = PostboteTestServer.DefaultOptions(Path.GetTempPath());
        Assert.Equal(PostboteTestServer.Hostname, ConfigurationLoader.Resolve(options).Server.NodeName);
        options.NodeName = "node a/1";
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Resolve(options));
        Assert.Contains(e.Problems, p => p.StartsWith("NodeName: 'node a/1'", StringComparison.Ordinal));
    }
}
