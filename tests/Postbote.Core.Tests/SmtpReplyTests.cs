using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class SmtpReplyTests
{
    [Fact]
    public void Multiline_UsesHyphenThenSpace_Rfc5321_Section4_2_1()
    {
        var reply = new SmtpReply(250, null, ["mx.example.org", "PIPELINING", "SIZE 10"]);
        Assert.Equal("250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 10\r\n", Encoding.ASCII.GetString(reply.ToBytes()));
    }

    [Fact]
    public void EnhancedStatus_PrefixesEveryLine_Rfc2034_Section4()
    {
        var reply = new SmtpReply(550, "5.7.1", ["first", "second"]);
        Assert.Equal("550-5.7.1 first\r\n550 5.7.1 second\r\n", Encoding.ASCII.GetString(reply.ToBytes()));
        Assert.Equal("550 5.7.1 first second", reply.ToString());
    }

    [Fact]
    public void SingleLine_Rfc5321_Section4_2()
    {
        Assert.Equal("250 2.1.0 Ok\r\n", Encoding.ASCII.GetString(SmtpReplies.SenderOk.ToBytes()));
        Assert.Equal("220 mx.example.org ESMTP Postbote\r\n", Encoding.ASCII.GetString(SmtpReplies.Greeting("mx.example.org").ToBytes()));
        Assert.Equal("250 2.0.0 Ok: queued as 0N5X3K2Q1Z4A\r\n", Encoding.ASCII.GetString(SmtpReplies.Queued("0N5X3K2Q1Z4A").ToBytes()));
    }

    [Theory]
    [InlineData(250, true, false, false)]
    [InlineData(354, true, false, false)]
    [InlineData(421, false, true, false)]
    [InlineData(554, false, false, true)]
    public void Classes_Rfc5321_Section4_2_1(int code, bool positive, bool transient, bool permanent)
    {
        var r = new SmtpReply(code, null, "x");
        Assert.Equal((positive, transient, permanent), (r.IsPositive, r.IsTransientFailure, r.IsPermanentFailure));
    }

    [Fact]
    public void EveryPredefinedReply_HasMatchingEnhancedClass_Rfc3463_Section3_1()
    {
        foreach (var p in typeof(SmtpReplies).GetProperties())
        {
            var r = (SmtpReply)p.GetValue(null)!;
            if (r.EnhancedStatus is null) continue;
            Assert.True(r.EnhancedStatus[0] - '0' == r.Code / 100, $"{p.Name}: {r}");
        }
    }
}
