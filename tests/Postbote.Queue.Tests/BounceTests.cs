using System.Text;

namespace Postbote.Queue.Tests;

public class BounceTests
{
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Header_section_is_found_across_read_boundaries(int chunk)
    {
        var message = QueueFixture.OriginalMessage;
        var headers = await Bounce.ReadHeaderSectionAsync(new TrickleStream(message, chunk), Bounce.MaxHeaderBytes, CancellationToken.None);
        Assert.Equal(QueueFixture.OriginalHeaders, headers);
    }

    [Fact]
    public async Task Message_without_a_body_returns_all_its_header_lines()
    {
        var only = Encoding.ASCII.GetBytes("Subject: x\r\nFrom: a@b\r\n");
        Assert.Equal(only, await Bounce.ReadHeaderSectionAsync(new MemoryStream(only), Bounce.MaxHeaderBytes, CancellationToken.None));
    }

    [Fact]
    public async Task Message_with_an_empty_header_section_returns_nothing()
    {
        var bytes = Encoding.ASCII.GetBytes("\r\nbody only\r\n");
        Assert.Empty(await Bounce.ReadHeaderSectionAsync(new MemoryStream(bytes), Bounce.MaxHeaderBytes, CancellationToken.None));
    }

    [Fact]
    public async Task Oversized_header_section_is_cut_at_a_line_end()
    {
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("X-Long: 0123456789\r\n", 100)) + "\r\nbody\r\n");
        var cut = await Bounce.ReadHeaderSectionAsync(new MemoryStream(bytes), 50, CancellationToken.None);
        Assert.Equal(Encoding.ASCII.GetBytes("X-Long: 0123456789\r\nX-Long: 0123456789\r\n"), cut);
    }

    [Theory]
    [InlineData("mx.example.net[192.0.2.7]:25", "mx.example.net")]
    [InlineData("[192.0.2.7]:25", "[192.0.2.7]:25")]
    [InlineData(null, null)]
    public void Remote_MTA_is_the_host_name(string? relay, string? expected) => Assert.Equal(expected, Bounce.RemoteHost(relay));
}
