using System.Net;
using System.Text;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;
using Postbote.Delivery.Smtp;
using Postbote.TestSupport;

namespace Postbote.Delivery.Tests;

public class SmtpClientConnectionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static SmtpClientOptions Options(TlsPolicy tls = TlsPolicy.Opportunistic) => new()
    {
        HeloName = "client.test",
        Tls = tls,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        GreetingTimeout = TimeSpan.FromSeconds(10),
        HeloTimeout = TimeSpan.FromSeconds(10),
        StartTlsTimeout = TimeSpan.FromSeconds(10),
        MailTimeout = TimeSpan.FromSeconds(10),
        RcptTimeout = TimeSpan.FromSeconds(10),
        DataInitTimeout = TimeSpan.FromSeconds(10),
        DataBlockTimeout = TimeSpan.FromSeconds(10),
        DataEndTimeout = TimeSpan.FromSeconds(10),
    };

    private static SmtpEndpoint Endpoint(ScriptedSmtpPeer peer) => new("peer.test", IPAddress.Loopback, peer.Port);

    private static async Task<IReadOnlyList<RecipientResult>> SendOnceAsync(ScriptedSmtpPeer peer, DeliveryRequest request, SmtpClientOptions? options = null,
        ISmtpClientAuthenticator? auth = null)
    {
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), options ?? Options(), auth, cancellationToken: None);
        return await connection.SendAsync(request, None);
    }

    [Fact]
    public async Task Message_arrives_byte_exact_with_dot_stuffing_undone_RFC5321_4_5_2()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        var body = "Subject: dots\r\n\r\n.\r\n..two\r\n.leading\r\nmiddle . dot\r\n.\r\n\r\nend\r\n";
        var results = await SendOnceAsync(peer, TestMessages.Request(body, "bob@example.net"));
        var result = Assert.Single(results);
        Assert.Equal(DeliveryAction.Relayed, result.Action);
        Assert.Equal($"peer.test[127.0.0.1]:{peer.Port}", result.RemoteMta);
        Assert.Equal(Encoding.ASCII.GetBytes(body), Assert.Single(peer.Transactions).Data);
    }

    [Fact]
    public async Task Large_message_is_streamed_in_blocks_byte_exact()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        var sb = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; i < 20000; i++)
            sb.Append(i % 7 == 0 ? "." : "").Append("line ").Append(i).Append("\r\n");
        var body = Encoding.ASCII.GetBytes(sb.ToString());
        var options = Options();
        options.DataBufferSize = 1000;
        await SendOnceAsync(peer, TestMessages.Request(body, new[] { new DeliveryRecipient("bob@example.net") }), options);
        Assert.Equal(body, Assert.Single(peer.Transactions).Data);
    }

    [Fact]
    public async Task Recipients_get_their_own_4xx_and_5xx_outcomes()
    {
        var script = new SmtpPeerScript { RcptReply = a => a.StartsWith("full") ? "452 4.2.2 Mailbox full" : a.StartsWith("nobody") ? "550 5.1.1 No such user" : "250 2.1.5 Ok" };
        await using var peer = new ScriptedSmtpPeer(script);
        var results = await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "ok@example.net", "full@example.net", "nobody@example.net"));
        Assert.Equal(DeliveryAction.Relayed, results[0].Action);
        Assert.Equal((DeliveryAction.Delayed, "4.2.2", FailureScope.Recipient), (results[1].Action, results[1].Status, results[1].Scope));
        Assert.Equal((DeliveryAction.Failed, "5.1.1", FailureScope.Recipient), (results[2].Action, results[2].Status, results[2].Scope));
        Assert.Equal(new[] { "ok@example.net" }, Assert.Single(peer.Transactions).AcceptedRecipients);
    }

    [Fact]
    public async Task No_content_is_sent_when_every_recipient_is_refused_RFC2920_3_1()
    {
        // DATA ends the pipelined group; the server refuses it for want of a recipient and no content follows.
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = _ => "550 5.1.1 No such user" });
        var results = await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "b@example.net"));
        Assert.All(results, r => Assert.Equal(FailureScope.Recipient, r.Scope));
        Assert.Empty(peer.Transactions);
    }

    [Fact]
    public async Task Without_PIPELINING_DATA_waits_for_an_accepted_recipient()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = _ => "550 5.1.1 No such user", EhloReply = "250-peer.test\r\n250 SIZE 1000000" });
        var results = await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "a@example.net"));
        Assert.Equal(FailureScope.Recipient, Assert.Single(results).Scope);
        Assert.DoesNotContain("DATA", peer.Commands);
    }

    [Fact]
    public async Task Greeting_4xx_fails_the_session()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Greeting = "421 4.3.2 Too busy" });
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() => SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None));
        Assert.Equal(("4.3.2", false), (ex.Status, ex.IsPermanent));
    }

    [Fact]
    public async Task Connection_refused_fails_the_session_4_4_1()
    {
        var endpoint = new SmtpEndpoint("down.test", IPAddress.Loopback, TestMessages.ClosedPort());
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() => SmtpClientConnection.OpenAsync(endpoint, Options(), cancellationToken: None));
        Assert.Equal("4.4.1", ex.Status);
    }

    [Fact]
    public async Task Drop_during_DATA_is_a_temporary_session_failure()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { DropMidData = true });
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None);
        var body = string.Concat(Enumerable.Repeat("some line of text\r\n", 50000));
        var result = Assert.Single(await connection.SendAsync(TestMessages.Request(body, "bob@example.net"), None));
        Assert.Equal((DeliveryAction.Delayed, "4.4.2", FailureScope.Session), (result.Action, result.Status, result.Scope));
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task Slow_peer_times_out_per_the_MAIL_timeout_setting()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { StallOn = "MAIL" });
        var options = Options();
        options.MailTimeout = TimeSpan.FromMilliseconds(300);
        var result = Assert.Single(await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "bob@example.net"), options));
        Assert.Equal((DeliveryAction.Delayed, "4.4.2", FailureScope.Session), (result.Action, result.Status, result.Scope));
        Assert.Contains("timed out", result.Diagnostic);
    }

    [Fact]
    public async Task Required_TLS_not_offered_is_a_temporary_4_7_5_session_failure()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() => SmtpClientConnection.OpenAsync(Endpoint(peer), Options(TlsPolicy.Required), cancellationToken: None));
        Assert.Equal(("4.7.5", false), (ex.Status, ex.IsPermanent));
        Assert.DoesNotContain(peer.Commands, c => c.StartsWith("MAIL"));
    }

    [Fact]
    public async Task Opportunistic_STARTTLS_is_used_when_offered_RFC3207()
    {
        using var cert = TestCertificates.CreateSelfSigned("peer.test", ecdsa: true);
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Certificate = cert });
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None);
        Assert.True(connection.IsTls);
        await connection.SendAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.net"), None);
        Assert.True(Assert.Single(peer.Transactions).OverTls);
        Assert.Equal(2, peer.Commands.Count(c => c.StartsWith("EHLO")));
    }

    [Fact]
    public async Task Required_TLS_with_verification_refuses_a_self_signed_certificate_4_7_5()
    {
        using var cert = TestCertificates.CreateSelfSigned("peer.test");
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Certificate = cert });
        var options = Options(TlsPolicy.Required);
        options.VerifyCertificate = true;
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() => SmtpClientConnection.OpenAsync(Endpoint(peer), options, cancellationToken: None));
        Assert.Equal("4.7.5", ex.Status);
    }

    [Fact]
    public async Task Implicit_TLS_speaks_TLS_from_the_first_byte_RFC8314()
    {
        using var cert = TestCertificates.CreateSelfSigned("peer.test");
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Certificate = cert, ImplicitTls = true });
        var options = Options(TlsPolicy.None);
        options.ImplicitTls = true;
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), options, cancellationToken: None);
        Assert.True(connection.IsTls);
        Assert.NotNull(connection.TlsProtocol);
    }

    [Fact]
    public async Task Message_larger_than_peer_SIZE_fails_5_3_4_without_sending_RFC1870()
    {
        var script = new SmtpPeerScript { Extensions = new() { "PIPELINING", "SIZE 20" } };
        await using var small = new ScriptedSmtpPeer(script);
        var results = await SendOnceAsync(small, TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "b@example.net"));
        Assert.All(results, r => Assert.Equal((DeliveryAction.Failed, "5.3.4", FailureScope.Message), (r.Action, r.Status, r.Scope)));
        Assert.DoesNotContain(small.Commands, c => c.StartsWith("MAIL"));
    }

    [Fact]
    public async Task Mail_and_recipients_are_pipelined_when_offered_RFC2920()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "b@example.net"));
        Assert.True(Assert.Single(peer.Transactions).RcptPipelinedWithMail);
    }

    [Fact]
    public async Task Mail_and_recipients_wait_for_replies_without_PIPELINING()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Extensions = new() { "8BITMIME" } });
        await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "b@example.net"));
        Assert.False(Assert.Single(peer.Transactions).RcptPipelinedWithMail);
    }

    [Fact]
    public async Task Dsn_parameters_are_passed_only_when_offered_RFC3461()
    {
        var request = TestMessages.Request(Encoding.ASCII.GetBytes(TestMessages.SimpleBody),
            new[] { new DeliveryRecipient("bob@example.net", DsnNotify.Success | DsnNotify.Failure, "rfc822;Bob+x=y@example.net") },
            ret: DsnReturn.Headers, envid: "env id+1");
        await using (var withDsn = new ScriptedSmtpPeer(new SmtpPeerScript { Extensions = new() { "DSN", "SIZE" } }))
        {
            var result = Assert.Single(await SendOnceAsync(withDsn, request));
            Assert.Equal(DeliveryAction.Expanded, result.Action);
            var transaction = Assert.Single(withDsn.Transactions);
            Assert.Equal($"MAIL FROM:<sender@example.org> SIZE={request.Size} RET=HDRS ENVID=env+20id+2B1", transaction.MailCommand);
            Assert.Equal("RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+2Bx+3Dy@example.net", Assert.Single(transaction.RcptCommands));
        }
        await using var without = new ScriptedSmtpPeer(new SmtpPeerScript { Extensions = new() });
        await SendOnceAsync(without, request);
        var plain = Assert.Single(without.Transactions);
        Assert.Equal("MAIL FROM:<sender@example.org>", plain.MailCommand);
        Assert.Equal("RCPT TO:<bob@example.net>", Assert.Single(plain.RcptCommands));
    }

    [Fact]
    public async Task Eight_bit_body_is_declared_when_offered_RFC6152()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Extensions = new() { "8BITMIME" } });
        var request = TestMessages.Request("Subject: é\r\n\r\nü\r\n"u8.ToArray(), new[] { new DeliveryRecipient("bob@example.net") }, BodyType.EightBitMime);
        await SendOnceAsync(peer, request);
        Assert.EndsWith(" BODY=8BITMIME", Assert.Single(peer.Transactions).MailCommand);
    }

    [Fact]
    public async Task Connection_is_reused_for_two_messages_without_RSET_after_a_completed_transaction_RFC5321_4_1_1_4()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        await using (var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None))
        {
            Assert.True(Assert.Single(await connection.SendAsync(TestMessages.Request("Subject: 1\r\n\r\none\r\n", "a@example.net"), None)).IsSuccess);
            Assert.True(Assert.Single(await connection.SendAsync(TestMessages.Request("Subject: 2\r\n\r\ntwo\r\n", "b@example.net"), None)).IsSuccess);
            Assert.Equal(2, connection.TransactionCount);
        }
        Assert.Equal(1, peer.ConnectionCount);
        Assert.Equal(2, peer.Transactions.Count);
        Assert.DoesNotContain("RSET", peer.Commands);
        Assert.Equal("QUIT", peer.Commands.Last());
    }

    [Fact]
    public async Task A_421_to_MAIL_ends_the_session_RFC5321_3_8()
    {
        // 421 means the server is closing the channel, whatever it answers: a session failure (which the agent
        // retries on a fresh connection when the connection came from the cache), and the connection is not reused.
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { MailReply = "421 4.3.2 Service shutting down" });
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None);
        var result = Assert.Single(await connection.SendAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.net"), None));
        Assert.False(result.IsSuccess);
        Assert.Equal(FailureScope.Session, result.Scope);
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task Cancelling_a_delivery_leaves_the_connection_unusable()
    {
        // Cancelled mid-transaction, the connection's state is unknown: it must not go back to the cache or get a QUIT
        // written into an open DATA.
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.SendAsync(TestMessages.Request(TestMessages.SimpleBody, "bob@example.net"), cancelled.Token));
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task A_transaction_left_open_is_reset_before_the_next_in_the_same_pipelined_group()
    {
        // The first message's only recipient is refused after MAIL was accepted: a transaction is open, so the
        // next one starts with RSET, sent together with MAIL, RCPT and DATA (RFC 2920 3.1 allows RSET in a group).
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { RcptReply = a => a.StartsWith("nobody") ? "550 5.1.1 No such user" : "250 2.1.5 Ok" });
        await using (var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None))
        {
            Assert.False(Assert.Single(await connection.SendAsync(TestMessages.Request("Subject: 1\r\n\r\none\r\n", "nobody@example.net"), None)).IsSuccess);
            Assert.True(Assert.Single(await connection.SendAsync(TestMessages.Request("Subject: 2\r\n\r\ntwo\r\n", "b@example.net"), None)).IsSuccess);
        }
        var commands = peer.Commands.Select(c => c.Split(' ')[0]).ToList();
        int rset = commands.IndexOf("RSET");
        Assert.True(rset > 0, string.Join(",", commands));
        Assert.Equal(new[] { "RSET", "MAIL", "RCPT", "DATA" }, commands.Skip(rset).Take(4));
        Assert.Single(peer.Transactions);
    }

    [Theory]
    [InlineData("PLAIN LOGIN", "PLAIN")]
    [InlineData("LOGIN", "LOGIN")]
    public async Task Auth_with_PLAIN_or_LOGIN_RFC4954(string offered, string expected)
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Account = ("me", "s3cret"), AuthMechanisms = offered });
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), new SaslClientAuthenticator("me", "s3cret"), cancellationToken: None);
        Assert.Equal(expected, connection.AuthenticatedMechanism);
        Assert.Equal($"me via {expected}", peer.AuthenticatedAs);
    }

    [Fact]
    public async Task Refused_auth_defers_rather_than_bounces()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { Account = ("me", "right") });
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() =>
            SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), new SaslClientAuthenticator("me", "wrong"), cancellationToken: None));
        Assert.Equal(("4.7.8", false), (ex.Status, ex.IsPermanent));
    }

    [Fact]
    public async Task Helo_is_used_when_EHLO_is_refused_RFC5321_3_2()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { EhloReply = "502 5.5.1 EHLO not implemented" });
        await using var connection = await SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None);
        Assert.False(connection.Capabilities.IsExtended);
        Assert.Contains("HELO client.test", peer.Commands);
        Assert.True(Assert.Single(await connection.SendAsync(TestMessages.Request(TestMessages.SimpleBody, "a@example.net"), None)).IsSuccess);
    }

    [Fact]
    public async Task End_of_data_refusal_fails_the_message()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { EndOfDataReply = "554 5.7.1 Spam" });
        var results = await SendOnceAsync(peer, TestMessages.Request(TestMessages.SimpleBody, "a@example.net", "b@example.net"));
        Assert.All(results, r => Assert.Equal((DeliveryAction.Failed, "5.7.1", FailureScope.Message), (r.Action, r.Status, r.Scope)));
    }

    [Fact]
    public async Task Multiline_reply_with_a_changing_code_is_a_protocol_error_RFC5321_4_2_1()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript { EhloReply = "250-peer.test\r\n251 PIPELINING" });
        var ex = await Assert.ThrowsAsync<SmtpSessionException>(() => SmtpClientConnection.OpenAsync(Endpoint(peer), Options(), cancellationToken: None));
        Assert.Equal("4.5.0", ex.Status);
    }

    [Fact]
    public async Task Utf8_envelope_to_a_peer_without_SMTPUTF8_fails_5_6_7_RFC6531()
    {
        await using var peer = new ScriptedSmtpPeer(new SmtpPeerScript());
        var request = TestMessages.Request(TestMessages.SimpleBody, "jörg@example.net") with { SmtpUtf8 = true };
        var result = Assert.Single(await SendOnceAsync(peer, request));
        Assert.Equal((DeliveryAction.Failed, "5.6.7"), (result.Action, result.Status));
        Assert.Empty(peer.Transactions);
    }
}
