using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Core.Addressing;
using Postbote.Smtpd.Restrictions;
using Postbote.TestSupport;

namespace Postbote.Smtpd.Tests.Restrictions;

/// <summary>Issue 13: Postfix's reject_* HELO, sender and client restrictions, with its codes; DNS from the loopback test server.</summary>
public sealed class SessionRestrictionsTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private readonly TestDnsServer _dns = new();

    public void Dispose() => _dns.Dispose();

    private SessionRestrictions Create(RestrictionOptions options) => new(options,
        new Postbote.Dns.DnsResolver(new Postbote.Dns.DnsOptions { Servers = new[] { _dns.Endpoint }, QueryTimeout = TimeSpan.FromSeconds(5) }),
        NullLogger.Instance);

    private static RestrictionOptions All() => new()
    {
        RejectInvalidHeloHostname = true, RejectNonFqdnHeloHostname = true, RejectNonFqdnSender = true,
        RejectUnknownSenderDomain = true, RejectUnknownReverseClientHostname = true, RejectUnknownClientHostname = true,
    };

    [Theory]
    [InlineData("mail.example.org", null)]
    [InlineData("mail.example.org.", null)]
    [InlineData("[192.0.2.10]", null)]
    [InlineData("[IPv6:2001:db8::1]", null)]
    [InlineData("localhost", "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname")]
    [InlineData("bad!name.example", "501 5.5.2 <bad!name.example>: Helo command rejected: Invalid name")]
    [InlineData("-dash.example", "501 5.5.2 <-dash.example>: Helo command rejected: Invalid name")]
    [InlineData("[999.1.1.1]", "501 5.5.2 <[999.1.1.1]>: Helo command rejected: Invalid name")]
    public void Helo_IsCheckedAsPostfixDoes(string helo, string? refusal)
        => Assert.Equal(refusal, Create(All()).CheckHelo(Client, helo)?.ToString());

    [Fact]
    public void Helo_RestrictionsOff_AcceptAnything()
    {
        Assert.Null(Create(new RestrictionOptions()).CheckHelo(Client, "bad!name"));
        Assert.Null(Create(new RestrictionOptions { RejectInvalidHeloHostname = true }).CheckHelo(Client, "localhost"));
    }

    [Fact]
    public async Task Sender_NonFqdn504_Nxdomain550_NoRecords450_NullMx550_TempFail450_AndKnownDomainsPass()
    {
        _dns.AddMx("mx.example", 10, "mail.mx.example");
        _dns.AddA("a-only.example", "192.0.2.1");
        _dns.AddTxtStrings("no-address.example", "v=spf1 -all");
        _dns.AddNullMx("nullmx.example");
        _dns.SetServFail("slow.example"); // a temporary failure (a hanging server would need the query timeout, seconds per test)
        var r = Create(All());
        async Task<string?> Check(string address)
        {
            Assert.True(MailboxParser.TryParseMailbox(address, false, out var mailbox));
            return (await r.CheckSenderAsync(Client, mailbox, CancellationToken.None))?.ToString();
        }
        Assert.Null(await Check("a@mx.example"));
        Assert.Null(await Check("a@a-only.example"));
        Assert.Null(await r.CheckSenderAsync(Client, null, CancellationToken.None)); // the null sender
        Assert.Equal("504 5.5.2 <a@localhost>: Sender address rejected: need fully-qualified address", await Check("a@localhost"));
        Assert.Equal("550 5.1.8 <a@nowhere.example>: Sender address rejected: Domain not found", await Check("a@nowhere.example"));
        Assert.Equal("450 4.1.8 <a@no-address.example>: Sender address rejected: Domain not found", await Check("a@no-address.example"));
        Assert.Equal("550 5.7.27 <a@nullmx.example>: Sender address rejected: Domain does not accept mail", await Check("a@nullmx.example"));
        Assert.Equal("450 4.1.8 <a@slow.example>: Sender address rejected: Domain not found", await Check("a@slow.example"));
    }

    [Fact]
    public async Task Client_WithoutPtr450_WithPtrNotPointingBack450_WithFcrdnsPasses()
    {
        _dns.AddPtr("192.0.2.10", "good.example");
        _dns.AddA("good.example", "192.0.2.10");
        _dns.AddPtr("192.0.2.11", "liar.example");
        _dns.AddA("liar.example", "198.51.100.1");
        var r = Create(All());
        Assert.Null(await r.CheckClientAsync(IPAddress.Parse("192.0.2.10"), CancellationToken.None));
        Assert.Equal("450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.11]",
            (await r.CheckClientAsync(IPAddress.Parse("192.0.2.11"), CancellationToken.None))?.ToString());
        Assert.Equal("450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.12]",
            (await r.CheckClientAsync(IPAddress.Parse("192.0.2.12"), CancellationToken.None))?.ToString());
        // reject_unknown_reverse_client_hostname alone: any PTR name will do.
        var reverseOnly = Create(new RestrictionOptions { RejectUnknownReverseClientHostname = true });
        Assert.Null(await reverseOnly.CheckClientAsync(IPAddress.Parse("192.0.2.11"), CancellationToken.None));
    }
}
