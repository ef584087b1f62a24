using System.Text;
using Postbote.MailAuth.Results;
using static Postbote.MailAuth.Results.AuthenticationMethodResult;

namespace Postbote.MailAuth.Tests.Results;

/// <summary>RFC 8601: the field we write, and finding the fields that claim our authserv-id (§5) to leave them out.</summary>
public sealed class AuthenticationResultsFieldTests
{
    [Fact]
    public void Rfc8601_2_2_one_resinfo_a_line_comments_escaped_and_odd_values_quoted()
    {
        var field = AuthenticationResultsField.Build("mx.example.org",
        [
            new AuthenticationMethodResult("spf", "pass", "example.net designates 192.0.2.1 (ours)", Property("smtp.mailfrom", "a@example.net")),
            new AuthenticationMethodResult("dkim", "fail", "body hash did not verify", Property("header.d", "example.net"), Property("header.s", "sel 1")),
            new AuthenticationMethodResult("arc", "none"),
        ]);
        Assert.Equal("Authentication-Results: mx.example.org;\r\n"
            + "\tspf=pass (example.net designates 192.0.2.1 \\(ours\\)) smtp.mailfrom=a@example.net;\r\n"
            + "\tdkim=fail (body hash did not verify) header.d=example.net header.s=\"sel 1\";\r\n"
            + "\tarc=none\r\n", field);
    }

    [Fact]
    public void Rfc8601_2_2_no_result_is_none()
        => Assert.Equal("Authentication-Results: mx.example.org; none\r\n", AuthenticationResultsField.Build("mx.example.org", []));

    [Fact]
    public void Control_characters_from_the_sender_never_reach_the_field()
    {
        var field = AuthenticationResultsField.Build("mx", [new AuthenticationMethodResult("dkim", "permerror", "bad\r\nInjected: yes")]);
        Assert.Equal("Authentication-Results: mx;\r\n\tdkim=permerror (bad??Injected: yes)\r\n", field);
    }

    [Theory]
    [InlineData(" mx.example.org; spf=pass", "mx.example.org")]
    [InlineData(" (comment (nested)) MX.Example.Org 1; none", "MX.Example.Org")]
    [InlineData("mx.example.org;none", "mx.example.org")]
    [InlineData("\r\n\tmx.example.org\r\n\t; dkim=pass", "mx.example.org")]
    public void Rfc8601_2_5_the_authserv_id_is_the_first_token_after_comments(string value, string expected)
        => Assert.Equal(expected, AuthenticationResultsField.AuthservIdOf(value));

    [Fact]
    public void Rfc8601_5_fields_claiming_our_authserv_id_are_found_with_their_continuation_lines()
    {
        var header = "Received: from x\r\n\tby y\r\n"
            + "Authentication-Results: mx.example.org;\r\n\tdkim=pass header.d=bank.example\r\n"
            + "authentication-results : (forged) MX.EXAMPLE.ORG; spf=pass\r\n"
            + "Authentication-Results: mx.example.org.evil; spf=pass\r\n"
            + "Authentication-Results: other.example; spf=pass\r\n"
            + "Subject: hi\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(header);
        var found = AuthenticationResultsField.FindClaiming(bytes, "mx.example.org");
        Assert.Equal(2, found.Count);
        Assert.Equal("Authentication-Results: mx.example.org;\r\n\tdkim=pass header.d=bank.example\r\n", Encoding.ASCII.GetString(bytes[found[0]]));
        Assert.Equal("authentication-results : (forged) MX.EXAMPLE.ORG; spf=pass\r\n", Encoding.ASCII.GetString(bytes[found[1]]));
    }
}
