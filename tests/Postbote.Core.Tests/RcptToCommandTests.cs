using Postbote.Core.Envelope;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class RcptToCommandTests
{
    [Theory]
    [MemberData(nameof(SmtpParsingData.InvalidRcptTo), MemberType = typeof(SmtpParsingData))]
    public void InvalidForwardPathOrParameter_IsRefused_Rfc5321_Section4_1_1_3_And_Rfc3461_Section4(string argument, int code, string enhanced)
    {
        var reply = RcptToCommand.TryParse(argument, smtpUtf8: false, "example.org", out var rcpt);
        Assert.Null(rcpt);
        Assert.Equal((code, enhanced), (reply!.Code, reply.EnhancedStatus));
    }

    [Theory]
    [InlineData("TO:<postmaster>")]
    [InlineData("to:<POSTMASTER>")]
    [InlineData("TO: <Postmaster> NOTIFY=NEVER")]
    public void BarePostmaster_IsAccepted_Rfc5321_Section4_1_1_3(string argument)
    {
        Assert.Null(RcptToCommand.TryParse(argument, false, "example.org", out var rcpt));
        Assert.True(rcpt!.IsBarePostmaster);
        Assert.Equal("postmaster@example.org", rcpt.Recipient.ToString());
    }

    [Theory]
    [InlineData("TO:<b@example.org>", "b@example.org")]
    [InlineData("TO: b@example.org", "b@example.org")]
    [InlineData("TO:<@relay.example:b@example.org>", "b@example.org")]
    [InlineData("TO:<Postmaster@Example.org>", "Postmaster@Example.org")]
    [InlineData("TO:<\"b c\"@[192.0.2.1]>", "\"b c\"@[192.0.2.1]")]
    [InlineData("TO:<b@[IPv6:2001:db8::1]>", "b@[IPv6:2001:db8::1]")]
    public void ForwardPath_Grammar_Rfc5321_Section4_1_2(string argument, string recipient)
    {
        Assert.Null(RcptToCommand.TryParse(argument, false, "example.org", out var rcpt));
        Assert.False(rcpt!.IsBarePostmaster);
        Assert.Equal(recipient, rcpt.Recipient.ToString());
    }

    [Theory]
    [InlineData("NOTIFY=NEVER", DsnNotify.Never)]
    [InlineData("NOTIFY=SUCCESS", DsnNotify.Success)]
    [InlineData("NOTIFY=SUCCESS,FAILURE", DsnNotify.Success | DsnNotify.Failure)]
    [InlineData("notify=delay,failure,success", DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay)]
    [InlineData("", DsnNotify.None)]
    public void Notify_Combinations_Rfc3461_Section4_1(string parameter, DsnNotify notify)
    {
        Assert.Null(RcptToCommand.TryParse("TO:<b@example.org> " + parameter, false, "example.org", out var rcpt));
        Assert.Equal(notify, rcpt!.Notify);
    }

    [Theory]
    [InlineData("ORCPT=rfc822;b@example.org", "rfc822;b@example.org")]
    [InlineData("ORCPT=rfc822;b+2Bx@example.org", "rfc822;b+x@example.org")]
    public void Orcpt_IsXtextDecoded_Rfc3461_Section4_2(string parameter, string orcpt)
    {
        Assert.Null(RcptToCommand.TryParse("TO:<b@example.org> " + parameter, false, "example.org", out var rcpt));
        Assert.Equal(orcpt, rcpt!.OriginalRecipient);
    }

    [Fact]
    public void Utf8Recipient_NeedsSmtpUtf8OnMail_Rfc6531_Section3_4()
    {
        Assert.Equal(553, RcptToCommand.TryParse("TO:<jürgen@bücher.example>", false, "example.org", out _)!.Code);
        Assert.Null(RcptToCommand.TryParse("TO:<jürgen@bücher.example>", true, "example.org", out var rcpt));
        Assert.Equal("xn--bcher-kva.example", rcpt!.Recipient.AsciiDomain);
    }
}
