using System.Text;
using Microsoft.Extensions.Time.Testing;
using Postbote.Dns;
using Postbote.MailAuth.Arc;
using Postbote.MailAuth.Dkim;
using Postbote.TestSupport;

namespace Postbote.MailAuth.Tests.Arc;

/// <summary>RFC 8617: our sealer and verifier, keys served by a test DNS server on loopback.</summary>
public sealed class ArcTests : IDisposable
{
    private const string Message =
        "From: Alice <alice@origin.example>\r\nTo: team@fwd.example\r\nSubject: forwarded twice\r\nDate: Fri, 4 Dec 2026 10:00:00 +0000\r\n" +
        "Message-ID: <m1@origin.example>\r\n\r\nHello  team,\r\n\r\nthe body.\r\n";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "postbote-arc-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
    private readonly TestDnsServer _dns = new();
    private readonly DkimKeyStore _store;

    public ArcTests()
    {
        _store = new DkimKeyStore(_root);
        // 1024-bit keys: their record fits the one TXT string TestDnsServer.AddTxt serves.
        foreach (var d in new[] { "fwd.example", "list.example", "relay.example" })
        {
            using var key = _store.Create(d, "arc", DkimAlgorithm.RsaSha256, 1024, _time.GetUtcNow());
            _dns.AddTxt(key.RecordName, key.TxtRecord);
        }
    }

    public void Dispose()
    {
        _dns.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private ArcVerifier Verifier() =>
        new(new DkimVerifier(new DnsResolver(new DnsOptions { Servers = [_dns.Endpoint], QueryTimeout = TimeSpan.FromSeconds(2) }), _time));

    private ArcSealer Sealer() => new(new DkimSigner(_store, new DkimOptions(), _time), new DkimOptions(), _time);

    /// <summary>What a forwarder of <paramref name="domain"/> does: validate the chain that came in, seal on top of it.</summary>
    private async Task<string> ForwardAsync(string message, string domain)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        int headerLength = DkimHeaderFields.SectionLength(bytes);
        using var chain = Verifier().Begin(bytes.AsSpan(0, headerLength));
        chain.AppendBody(bytes.AsSpan(headerLength));
        var check = await chain.FinishAsync(CancellationToken.None);
        using var body = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        body.Append(bytes.AsSpan(headerLength));
        var set = Sealer().Seal(bytes.AsSpan(0, headerLength), body.Finish(), chain, check,
            $"mx.{domain}; spf=pass smtp.mailfrom=origin.example; arc={check.ResultWord}", domain, "Q");
        Assert.Equal(3, set.Count);
        return string.Concat(set) + message;
    }

    private async Task<ArcCheck> VerifyAsync(string message) => await Verifier().VerifyAsync(Encoding.UTF8.GetBytes(message), CancellationToken.None);

    [Fact]
    public async Task A_message_without_ARC_fields_is_none()
    {
        var check = await VerifyAsync(Message);
        Assert.Equal(ArcResult.None, check.Result);
        Assert.Equal("none", check.ResultWord);
    }

    [Fact]
    public async Task The_first_seal_says_cv_none_and_its_chain_passes()
    {
        var sealed1 = await ForwardAsync(Message, "fwd.example");
        Assert.StartsWith("ARC-Seal: i=1; a=rsa-sha256; t=1796378400; cv=none;\r\n\td=fwd.example; s=arc;\r\n\tb=", sealed1);
        Assert.Matches("\r\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=fwd.example;\r\n\ts=arc; t=1796378400;\r\n\th=from:from:subject:date:to:message-id;\r\n", sealed1);
        Assert.Contains("\r\nARC-Authentication-Results: i=1; mx.fwd.example; spf=pass smtp.mailfrom=origin.example; arc=none\r\nFrom: ", sealed1);
        var check = await VerifyAsync(sealed1);
        Assert.Equal(new ArcCheck(ArcResult.Pass, 1, 0, "fwd.example", ""), check);
    }

    [Fact]
    public async Task Three_hops_make_instances_1_2_3_each_sealing_the_chain_before_it()
    {
        var m = await ForwardAsync(await ForwardAsync(await ForwardAsync(Message, "fwd.example"), "list.example"), "relay.example");
        Assert.StartsWith("ARC-Seal: i=3; a=rsa-sha256; t=1796378400; cv=pass;", m);
        Assert.Contains("ARC-Authentication-Results: i=3; mx.relay.example; spf=pass smtp.mailfrom=origin.example; arc=pass\r\n", m);
        Assert.Equal(new ArcCheck(ArcResult.Pass, 3, 0, "relay.example", ""), await VerifyAsync(m));
    }

    [Fact]
    public async Task A_body_changed_between_hops_keeps_the_chain_but_oldest_pass_says_from_where()
    {
        // The list adds a footer after validating; its own seal and signature cover the new body (RFC 8617 §5.2 step 5).
        var first = await ForwardAsync(Message, "fwd.example");
        var footed = first + "--\r\nlist footer\r\n";
        var bytes = Encoding.UTF8.GetBytes(first);
        int h = DkimHeaderFields.SectionLength(bytes);
        using var chain = Verifier().Begin(bytes.AsSpan(0, h));
        chain.AppendBody(bytes.AsSpan(h));
        var check = await chain.FinishAsync(CancellationToken.None);
        Assert.Equal(ArcResult.Pass, check.Result);
        var footedBytes = Encoding.UTF8.GetBytes(footed);
        using var body = new DkimBodyHasher(DkimCanonicalization.Relaxed);
        body.Append(footedBytes.AsSpan(h));
        var set = Sealer().Seal(footedBytes.AsSpan(0, h), body.Finish(), chain, check, "mx.list.example; arc=pass", "list.example", "Q");
        var second = string.Concat(set) + footed;
        Assert.Equal(new ArcCheck(ArcResult.Pass, 2, 2, "list.example", ""), await VerifyAsync(second));
    }

    [Fact]
    public async Task A_body_changed_after_the_last_seal_fails()
    {
        var m = await ForwardAsync(Message, "fwd.example");
        var check = await VerifyAsync(m.Replace("the body.", "the b0dy."));
        Assert.Equal(ArcResult.Fail, check.Result);
        Assert.Equal("ARC-Message-Signature i=1: body hash did not verify", check.Reason);
    }

    [Fact]
    public async Task A_changed_ARC_Authentication_Results_breaks_the_seal()
    {
        var m = await ForwardAsync(await ForwardAsync(Message, "fwd.example"), "list.example");
        var check = await VerifyAsync(m.Replace("i=1; mx.fwd.example; spf=pass", "i=1; mx.fwd.example; spf=fail"));
        Assert.Equal(ArcResult.Fail, check.Result);
        Assert.Equal("ARC-Seal i=2: signature did not verify", check.Reason);
    }

    [Fact]
    public async Task A_missing_field_of_a_set_fails_the_structure()
    {
        var m = await ForwardAsync(await ForwardAsync(Message, "fwd.example"), "list.example");
        var withoutAar1 = System.Text.RegularExpressions.Regex.Replace(m, "ARC-Authentication-Results: i=1;[^\r]*\r\n", "");
        var check = await VerifyAsync(withoutAar1);
        Assert.Equal(ArcResult.Fail, check.Result);
        Assert.Equal("ARC set i=1 is incomplete or duplicated", check.Reason);
    }

    [Fact]
    public async Task A_seal_reporting_cv_fail_ends_the_chain_and_the_next_seal_says_fail()
    {
        var broken = (await ForwardAsync(Message, "fwd.example")).Replace("the body.", "the b0dy.");
        var resealed = await ForwardAsync(broken, "list.example");
        Assert.StartsWith("ARC-Seal: i=2; a=rsa-sha256; t=1796378400; cv=fail;", resealed);
        var check = await VerifyAsync(resealed);
        Assert.Equal(ArcResult.Fail, check.Result);
        Assert.Equal("ARC-Seal i=2 reports a failed chain", check.Reason);
    }

    [Fact]
    public async Task A_key_missing_from_DNS_fails()
    {
        var m = (await ForwardAsync(Message, "fwd.example")).Replace("s=arc;", "s=gone;");
        Assert.Equal(ArcResult.Fail, (await VerifyAsync(m)).Result);
    }

    [Fact]
    public void No_RSA_key_no_seal()
    {
        var bytes = Encoding.UTF8.GetBytes(Message);
        Assert.False(Sealer().CanSeal("nokey.example"));
        Assert.Empty(Sealer().Seal(bytes, new byte[32], null, ArcCheck.NoChain, "mx; none", "nokey.example", "Q"));
    }
}
