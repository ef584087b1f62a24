using Postbote.Core.Envelope;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class MailFromCommandTests
{
    [Theory]
    [MemberData(nameof(SmtpParsingData.ValidMailFrom), MemberType = typeof(SmtpParsingData))]
    public void ReversePath_Grammar_Rfc5321_Section4_1_2(string argument, string reversePath)
    {
        var reply = MailFromCommand.TryParse(argument, out var mail);
        Assert.Null(reply);
        Assert.Equal(reversePath, mail!.ReversePathText);
        Assert.Equal(reversePath.Length == 0, mail.ReversePath is null);
    }

    [Theory]
    [MemberData(nameof(SmtpParsingData.InvalidMailFrom), MemberType = typeof(SmtpParsingData))]
    public void InvalidReversePathOrParameter_IsRefused_Rfc5321_Section4_1_2_And_Rfc3463(string argument, int code, string enhanced)
    {
        var reply = MailFromCommand.TryParse(argument, out var mail);
        Assert.NotNull(reply);
        Assert.Null(mail);
        Assert.Equal((code, enhanced), (reply!.Code, reply.EnhancedStatus));
    }

    [Fact]
    public void SourceRoute_IsIgnored_Rfc5321_Section4_1_1_3_And_AppendixC()
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<@hosta.example,@hostb.example:user@hostc.example>", out var mail));
        Assert.Equal("hostc.example", mail!.ReversePath!.Domain);
    }

    [Fact]
    public void QuotedLocalPart_KeepsItsUnquotedValue_Rfc5321_Section4_1_2_QuotedString()
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<\"a\\\"b c\"@x.example>", out var mail));
        Assert.Equal("a\"b c", mail!.ReversePath!.LocalPart);
    }

    [Theory]
    [InlineData("SIZE=1000", 1000L)]
    [InlineData("SIZE=0", 0L)]
    [InlineData("size=52428800", 52428800L)]
    public void Size_IsParsed_Rfc1870_Section6(string parameter, long size)
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@b.example> " + parameter, out var mail));
        Assert.Equal(size, mail!.DeclaredSize);
    }

    [Theory]
    [InlineData("", BodyType.SevenBit)]
    [InlineData("BODY=7BIT", BodyType.SevenBit)]
    [InlineData("BODY=8BITMIME", BodyType.EightBitMime)]
    [InlineData("body=8bitmime", BodyType.EightBitMime)]
    [InlineData("BODY=BINARYMIME", BodyType.BinaryMime)]
    public void Body_IsParsed_Rfc6152_Section2_And_Rfc3030_Section3(string parameter, BodyType body)
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@b.example> " + parameter, out var mail));
        Assert.Equal(body, mail!.Body);
    }

    [Theory]
    [InlineData("FROM:<jürgen@bücher.example> SMTPUTF8", "jürgen@bücher.example")]
    [InlineData("FROM:<用户@例子.广告> SMTPUTF8 BODY=8BITMIME", "用户@例子.广告")]
    [InlineData("FROM:<\"jürgen doe\"@b.example> smtputf8", "\"jürgen doe\"@b.example")]
    public void Utf8Address_IsAccepted_WithSmtpUtf8_Rfc6531_Section3_3(string argument, string path)
    {
        Assert.Null(MailFromCommand.TryParse(argument, out var mail));
        Assert.True(mail!.SmtpUtf8);
        Assert.Equal(path, mail.ReversePathText);
        Assert.True(mail.ReversePath!.IsInternational);
    }

    [Fact]
    public void Utf8Domain_HasAnALabelForRouting_Rfc6531_Section3_2()
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@Bücher.example> SMTPUTF8", out var mail));
        Assert.Equal("xn--bcher-kva.example", mail!.ReversePath!.AsciiDomain);
    }

    [Theory]
    [InlineData("RET=FULL", DsnReturn.Full)]
    [InlineData("RET=HDRS", DsnReturn.Headers)]
    [InlineData("", DsnReturn.Unspecified)]
    public void Ret_IsParsed_Rfc3461_Section4_3(string parameter, DsnReturn ret)
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@b.example> " + parameter, out var mail));
        Assert.Equal(ret, mail!.Return);
    }

    [Theory]
    [InlineData("ENVID=QQ314159", "QQ314159")]
    [InlineData("ENVID=a+2Bb+3Dc+20d", "a+b=c d")]
    public void Envid_IsXtextDecoded_Rfc3461_Section4_4(string parameter, string envid)
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@b.example> " + parameter, out var mail));
        Assert.Equal(envid, mail!.EnvelopeId);
    }

    [Theory]
    [InlineData("AUTH=<>", "<>")]
    [InlineData("AUTH=alice+40example.org", "alice@example.org")]
    [InlineData("AUTH=a+ZZ", "<>")]
    public void AuthParameter_IsAcceptedAndDecoded_Rfc4954_Section5(string parameter, string auth)
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@b.example> " + parameter, out var mail));
        Assert.Equal(auth, mail!.Auth);
    }

    [Fact]
    public void AllParametersTogether_Rfc5321_Section4_1_2_MailParameters()
    {
        Assert.Null(MailFromCommand.TryParse("FROM:<a@b.example> SIZE=12 BODY=8BITMIME RET=HDRS ENVID=x1 AUTH=<>", out var mail));
        Assert.Equal((12L, BodyType.EightBitMime, DsnReturn.Headers, "x1", "<>"), (mail!.DeclaredSize, mail.Body, mail.Return, mail.EnvelopeId, mail.Auth));
    }

    [Fact]
    public void BareAddressWithParameters_AsPostfixAccepts()
    {
        Assert.Null(MailFromCommand.TryParse("FROM: test@domain.de SIZE=5", out var mail));
        Assert.Equal(("test@domain.de", 5L), (mail!.ReversePathText, mail.DeclaredSize));
    }

    /// <summary>
    /// RFC 5321 §4.5.3.1.3: "The maximum total length of a reverse-path or forward-path is 256 octets (including the
    /// punctuation and element separators)", i.e. the angle brackets count. A path of 257 octets must be refused.
    /// </summary>
    [Fact]
    public void Path_Over256OctetsIncludingBrackets_IsTooLong_Rfc5321_Section4_5_3_1_3()
    {
        string domain = new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 62);
        string path = "<" + new string('a', 64) + "@" + domain + ">";
        Assert.Equal(257, path.Length);
        var reply = MailFromCommand.TryParse("FROM:" + path, out _);
        Assert.Equal((501, "5.5.4"), (reply?.Code, reply?.EnhancedStatus));
    }

    [Fact]
    public void Path_Of256OctetsIncludingBrackets_IsAccepted_Rfc5321_Section4_5_3_1_3()
    {
        string domain = new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 61);
        string path = "<" + new string('a', 64) + "@" + domain + ">";
        Assert.Equal(256, path.Length);
        Assert.Null(MailFromCommand.TryParse("FROM:" + path, out _));
    }
}
