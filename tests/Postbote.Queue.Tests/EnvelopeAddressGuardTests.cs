using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Postbote.Core.Envelope;

namespace Postbote.Queue.Tests;

/// <summary>Issue 11: the spool's last-line guard refuses envelope addresses with CR, LF, NUL or outside the RFC 5321 grammar.</summary>
public sealed class EnvelopeAddressGuardTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "postbote-guard-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("a@b.example>\r\nRSET\r\nMAIL FROM:<x@y.example", "u@remote.example")]
    [InlineData("a@b.example", "u@remote.example>\r\nDATA")]
    [InlineData("a@b.example\0", "u@remote.example")]
    [InlineData("not an address", "u@remote.example")]
    [InlineData("a@b.example", "no-domain")]
    [InlineData("a@b.example", "")]
    public async Task EnvelopeWithInjectedOrMalformedAddress_IsNeverQueued(string sender, string recipient)
    {
        var spool = new Spool(_directory, new FakeTimeProvider(QueueFixture.Start), NullLogger<Spool>.Instance);
        var envelope = new QueuedMessage { ReversePath = sender, Recipients = [new() { Address = recipient }] };
        await Assert.ThrowsAsync<EnvelopeAddressException>(() => spool.EnqueueAsync(QueueFixture.OriginalMessage, envelope, CancellationToken.None));
        Assert.Empty(spool.List(QueueState.Active));
        Assert.Empty(System.IO.Directory.EnumerateFiles(spool.MessageDirectory));
    }

    [Theory]
    [InlineData("", "u@remote.example")]
    [InlineData("\"john doe\"@b.example", "postmaster@[192.0.2.1]")]
    [InlineData("jörg@bücher.example", "u@remote.example")]
    public async Task NullSenderQuotedLocalPartLiteralAndUtf8_AreQueued_Rfc5321_Section4_1_2(string sender, string recipient)
    {
        var spool = new Spool(_directory, new FakeTimeProvider(QueueFixture.Start), NullLogger<Spool>.Instance);
        var envelope = new QueuedMessage { ReversePath = sender, Recipients = [new() { Address = recipient }] };
        var id = await spool.EnqueueAsync(QueueFixture.OriginalMessage, envelope, CancellationToken.None);
        Assert.NotNull(spool.Find(id));
    }
}
