using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

/// <summary>
/// ENVID and ORCPT travel into the delivery-status part of a bounce. RFC 3461 §4.2 and §4.4: their values, once
/// xtext-decoded, consist of printable US-ASCII only; a decoded CR, LF or NUL would inject lines into the DSN.
/// </summary>
public sealed class DsnParameterInjectionTests
{
    [Theory]
    [InlineData("ENVID=a+0D+0AX-Injected:+20yes")]
    [InlineData("ENVID=a+00b")]
    [InlineData("ENVID=a+0Ab")]
    [InlineData("ENVID=a+09b")]
    [InlineData("ENVID=a+7Fb")]
    [InlineData("ENVID=caf+C3+A9")]
    [InlineData("ENVID=a+FFb")]
    public void Envid_decoding_to_a_control_or_non_ascii_character_is_refused_501_5_5_4_RFC3461_4_4(string parameter)
    {
        var reply = MailFromCommand.TryParse("FROM:<a@b.example> " + parameter, out var mail);
        Assert.NotNull(reply);
        Assert.Equal((501, "5.5.4"), (reply!.Code, reply.EnhancedStatus));
        Assert.Null(mail);
    }

    [Theory]
    [InlineData("ORCPT=rfc822;b+0D+0AAction:+20delivered@example.org")]
    [InlineData("ORCPT=rfc822;b+00@example.org")]
    [InlineData("ORCPT=rfc822;b+1B@example.org")]
    [InlineData("ORCPT=rfc822;b+7F@example.org")]
    [InlineData("ORCPT=rfc822;j+C3+BCrgen@example.org")]
    public void Orcpt_decoding_to_a_control_or_non_ascii_character_is_refused_501_5_5_4_RFC3461_4_2(string parameter)
    {
        var reply = RcptToCommand.TryParse("TO:<b@example.org> " + parameter, false, "example.org", out var rcpt);
        Assert.NotNull(reply);
        Assert.Equal((501, "5.5.4"), (reply!.Code, reply.EnhancedStatus));
        Assert.Null(rcpt);
    }

    [Theory]
    [InlineData("ORCPT=rfc\u0007822;b@example.org")]
    [InlineData("ORCPT=rfc 822;b@example.org")]
    [InlineData("ORCPT=rfc<822>;b@example.org")]
    [InlineData("ORCPT=;b@example.org")]
    [InlineData("ORCPT=utf-8;j+C3+BCrgen@example.org")]
    [InlineData("ORCPT=utf-8;a\\x{0A}b@example.org")]
    [InlineData("ORCPT=utf-8;a\\x{0}b@example.org")]
    public void Orcpt_type_not_an_atom_or_utf8_type_with_xtext_escapes_or_embedded_controls_is_refused_RFC3461_4_2_RFC6533_3(string parameter)
    {
        var reply = RcptToCommand.TryParse("TO:<b@example.org> " + parameter, false, "example.org", out _);
        Assert.Equal((501, "5.5.4"), (reply?.Code, reply?.EnhancedStatus));
    }

    [Theory]
    [InlineData("ORCPT=rfc822;b@example.org", "rfc822;b@example.org")]
    [InlineData("ORCPT=RFC822;a+20b@example.org", "RFC822;a b@example.org")]
    [InlineData("ORCPT=utf-8;j\\x{FC}rgen@example.org", "utf-8;j\\x{FC}rgen@example.org")]
    [InlineData("ORCPT=x400;c+3Dde+3Ba+3Dx", "x400;c=de;a=x")]
    public void Orcpt_of_a_known_or_registered_type_is_kept_RFC3461_4_2_RFC6533_3(string parameter, string expected)
    {
        Assert.Null(RcptToCommand.TryParse("TO:<b@example.org> " + parameter, false, "example.org", out var rcpt));
        Assert.Equal(expected, rcpt!.OriginalRecipient);
    }

    [Fact]
    public void Orcpt_utf8_type_accepts_raw_utf8_only_with_smtputf8_RFC6533_3()
    {
        Assert.Equal(501, RcptToCommand.TryParse("TO:<b@example.org> ORCPT=utf-8;jürgen@example.org", false, "example.org", out _)?.Code);
        Assert.Null(RcptToCommand.TryParse("TO:<b@example.org> ORCPT=utf-8;jürgen@example.org", true, "example.org", out var rcpt));
        Assert.Equal("utf-8;jürgen@example.org", rcpt!.OriginalRecipient);
    }

    [Theory]
    [InlineData("jürgen@example.org")]
    [InlineData("café")]
    [InlineData("a+b=c")]
    public void Xtext_decode_reads_the_octets_encode_wrote_as_UTF8(string value)
    {
        var encoded = XText.Encode(value);
        Assert.True(System.Text.Ascii.IsValid(encoded));
        Assert.Equal(value, XText.Decode(encoded));
    }

    [Fact]
    public void Xtext_decode_refuses_octets_that_are_not_UTF8()
    {
        Assert.Null(XText.Decode("caf+E9"));
    }
}
