using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

/// <summary>
/// The shared table of valid and invalid command lines (in the spirit of Kestrel's HttpParsingData): each row is
/// a line as the client sends it (without CRLF) and what the grammar must make of it.
/// </summary>
public static class SmtpParsingData
{
    /// <summary>Verb recognition (RFC 5321 §4.1.1: verbs are case-insensitive; §2.4).</summary>
    public static TheoryData<string, SmtpVerb, string> Verbs => new()
    {
        { "HELO client.example", SmtpVerb.Helo, "client.example" },
        { "ehlo client.example", SmtpVerb.Ehlo, "client.example" },
        { "EhLo   client.example  ", SmtpVerb.Ehlo, "client.example" },
        { "MAIL FROM:<a@b.example>", SmtpVerb.Mail, "FROM:<a@b.example>" },
        { "mail from:<a@b.example>", SmtpVerb.Mail, "from:<a@b.example>" },
        { "RCPT TO:<a@b.example>", SmtpVerb.Rcpt, "TO:<a@b.example>" },
        { "DATA", SmtpVerb.Data, "" },
        { "BDAT 10 LAST", SmtpVerb.Bdat, "10 LAST" },
        { "RSET", SmtpVerb.Rset, "" },
        { "NOOP", SmtpVerb.Noop, "" },
        { "QUIT", SmtpVerb.Quit, "" },
        { "quit", SmtpVerb.Quit, "" },
        { "VRFY postmaster", SmtpVerb.Vrfy, "postmaster" },
        { "EXPN list", SmtpVerb.Expn, "list" },
        { "HELP", SmtpVerb.Help, "" },
        { "STARTTLS", SmtpVerb.StartTls, "" },
        { "starttls", SmtpVerb.StartTls, "" },
        { "AUTH PLAIN AGFsaWNlAHNlY3JldA==", SmtpVerb.Auth, "PLAIN AGFsaWNlAHNlY3JldA==" },
        { "ETRN example.org", SmtpVerb.Etrn, "example.org" },
        { "LHLO client.example", SmtpVerb.Lhlo, "client.example" },
        { "GET / HTTP/1.1", SmtpVerb.Http, "" },
        { "POST /x HTTP/1.1", SmtpVerb.Http, "" },
        { "PUT /x HTTP/1.1", SmtpVerb.Http, "" },
        { "HEAD / HTTP/1.0", SmtpVerb.Http, "" },
        { "CONNECT mx.example.org:25 HTTP/1.1", SmtpVerb.Http, "" },
        { "MAILX FROM:<a@b.example>", SmtpVerb.Unknown, "" },
        { "DATAX", SmtpVerb.Unknown, "" },
        { "STARTTLSX", SmtpVerb.Unknown, "" },
        { "STAR", SmtpVerb.Unknown, "" },
        { "START", SmtpVerb.Unknown, "" },
        { "STARTTL", SmtpVerb.Unknown, "" },
        { "MAI", SmtpVerb.Unknown, "" },
        { "", SmtpVerb.Unknown, "" },
        { "XYZZY", SmtpVerb.Unknown, "" },
        { "POSTMASTER", SmtpVerb.Unknown, "" },
    };

    /// <summary>MAIL FROM arguments that parse (RFC 5321 §4.1.1.2, §4.1.2): argument, expected reverse path ("" = null sender).</summary>
    public static TheoryData<string, string> ValidMailFrom => new()
    {
        { "FROM:<>", "" },
        { "FROM:<a@b.example>", "a@b.example" },
        { "from:<a@b.example>", "a@b.example" },
        { "FROM: test@domain.de", "test@domain.de" },
        { "FROM: <a@b.example>", "a@b.example" },
        { "FROM:<@relay.example,@other.example:a@b.example>", "a@b.example" },
        { "FROM:<\"john doe\"@b.example>", "\"john doe\"@b.example" },
        { "FROM:<\"a\\\"b\\\\c\"@b.example>", "\"a\\\"b\\\\c\"@b.example" },
        { "FROM:<\"a@b\"@c.example>", "\"a@b\"@c.example" },
        { "FROM:<a@[192.0.2.1]>", "a@[192.0.2.1]" },
        { "FROM:<a@[IPv6:2001:db8::1]>", "a@[IPv6:2001:db8::1]" },
        { "FROM:<first.last+tag@sub.b.example>", "first.last+tag@sub.b.example" },
        { "FROM:<a@b.example> SIZE=1000", "a@b.example" },
        { "FROM:<" + new string('l', 64) + "@b.example>", new string('l', 64) + "@b.example" },
    };

    /// <summary>MAIL FROM arguments refused, with the reply code and enhanced status.</summary>
    public static TheoryData<string, int, string> InvalidMailFrom => new()
    {
        { "FROM<a@b.example>", 501, "5.5.4" },
        { "TO:<a@b.example>", 501, "5.5.4" },
        { "", 501, "5.5.4" },
        { "FROM:", 501, "5.1.7" },
        { "FROM:<a@b.example", 501, "5.1.7" },
        { "FROM:<a@b.example>garbage", 501, "5.1.7" },
        { "FROM:<a.@b.example>", 501, "5.1.7" },
        { "FROM:<a..b@b.example>", 501, "5.1.7" },
        { "FROM:<a@-b.example>", 501, "5.1.7" },
        { "FROM:<a@b_c.example>", 501, "5.1.7" },
        { "FROM:<@b.example>", 501, "5.1.7" },
        { "FROM:<a@>", 501, "5.1.7" },
        { "FROM:<a b@b.example>", 501, "5.1.7" },
        { "FROM:<a@[192.0.2.256]>", 501, "5.1.7" },
        { "FROM:<a@[192.0.2]>", 501, "5.1.7" },
        { "FROM:<a@[IPv6:2001:db8::g]>", 501, "5.1.7" },
        { "FROM:<a@[IPv6:fe80::1%eth0]>", 501, "5.1.7" },
        { "FROM:<a@[example.org]>", 501, "5.1.7" },
        { "FROM:<@relay.example a@b.example>", 501, "5.1.7" },
        { "FROM:<\"unterminated@b.example>", 501, "5.1.7" },
        { "FROM:<" + new string('l', 65) + "@b.example>", 501, "5.1.7" },
        { "FROM:<a@" + string.Join('.', Enumerable.Repeat(new string('d', 60), 5)) + ">", 501, "5.5.4" },
        { "FROM:<jürgen@b.example>", 553, "5.6.7" },
        { "FROM:<a@bücher.example>", 553, "5.6.7" },
        { "FROM:<a@b.example> FOO=1", 555, "5.5.4" },
        { "FROM:<a@b.example> SIZE=", 501, "5.5.4" },
        { "FROM:<a@b.example> SIZE=-1", 501, "5.5.4" },
        { "FROM:<a@b.example> SIZE=1 SIZE=2", 501, "5.5.4" },
        { "FROM:<a@b.example> BODY=9BIT", 501, "5.5.4" },
        { "FROM:<a@b.example> BODY=7BIT BODY=8BITMIME", 501, "5.5.4" },
        { "FROM:<a@b.example> RET=ALL", 501, "5.5.4" },
        { "FROM:<a@b.example> RET=FULL RET=HDRS", 501, "5.5.4" },
        { "FROM:<a@b.example> ENVID=a+2", 501, "5.5.4" },
        { "FROM:<a@b.example> ENVID=a+ZZ", 501, "5.5.4" },
        { "FROM:<a@b.example> ENVID=a=b", 501, "5.5.4" },
        { "FROM:<a@b.example> ENVID=" + new string('e', 101), 501, "5.5.4" },
        { "FROM:<a@b.example> SMTPUTF8=yes", 501, "5.5.4" },
    };

    /// <summary>RCPT TO arguments refused (RFC 5321 §4.1.1.3, RFC 3461 §4.1, §4.2).</summary>
    public static TheoryData<string, int, string> InvalidRcptTo => new()
    {
        { "TO<b@example.org>", 501, "5.5.4" },
        { "FROM:<b@example.org>", 501, "5.5.4" },
        { "TO:<>", 501, "5.1.3" },
        { "TO:<b@example.org>x", 501, "5.1.3" },
        { "TO:<postmaster>x", 501, "5.1.3" },
        { "TO:<b@>", 501, "5.1.3" },
        { "TO:<jürgen@example.org>", 553, "5.6.7" },
        { "TO:<b@example.org> FOO=BAR", 555, "5.5.4" },
        { "TO:<b@example.org> NOTIFY=NEVER,SUCCESS", 501, "5.5.4" },
        { "TO:<b@example.org> NOTIFY=FAILURE,NEVER", 501, "5.5.4" },
        { "TO:<b@example.org> NOTIFY=SOMETIMES", 501, "5.5.4" },
        { "TO:<b@example.org> NOTIFY=", 501, "5.5.4" },
        { "TO:<b@example.org> NOTIFY=SUCCESS NOTIFY=FAILURE", 501, "5.5.4" },
        { "TO:<b@example.org> ORCPT=b@example.org", 501, "5.5.4" },
        { "TO:<b@example.org> ORCPT=;b@example.org", 501, "5.5.4" },
        { "TO:<b@example.org> ORCPT=rfc822;b+4", 501, "5.5.4" },
        { "TO:<b@example.org> ORCPT=rfc822;a ORCPT=rfc822;b", 501, "5.5.4" },
    };
}
