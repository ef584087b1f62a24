using System.Text;
using BenchmarkDotNet.Attributes;
using Postbote.Core.Smtp;

namespace Postbote.Benchmarks;

/// <summary>Command lines as the session sees them: the verb from bytes, the MAIL/RCPT argument as chars.</summary>
[MemoryDiagnoser]
public class CommandParsingBenchmarks
{
    private readonly byte[] _mailLine = Encoding.ASCII.GetBytes("MAIL FROM:<alice.sender@example.org> SIZE=4096 BODY=8BITMIME");
    private readonly byte[] _rcptLine = Encoding.ASCII.GetBytes("RCPT TO:<bob.recipient@example.net>");
    private readonly string _mailArgument = "FROM:<alice.sender@example.org>";
    private readonly string _mailArgumentWithParameters = "FROM:<alice.sender@example.org> SIZE=4096 BODY=8BITMIME";
    private readonly string _rcptArgument = "TO:<bob.recipient@example.net>";
    private readonly string _rcptArgumentWithDsn = "TO:<bob.recipient@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob.recipient@example.net";

    [Benchmark(Description = "SmtpCommandParser.Parse MAIL line")]
    public int ParseVerbMail() => (int)SmtpCommandParser.Parse(_mailLine, out var arg) + arg.Length;

    [Benchmark(Description = "SmtpCommandParser.Parse RCPT line")]
    public int ParseVerbRcpt() => (int)SmtpCommandParser.Parse(_rcptLine, out var arg) + arg.Length;

    [Benchmark(Description = "MailFromCommand.TryParse <addr>")]
    public MailFromCommand? MailFrom() { MailFromCommand.TryParse(_mailArgument, out var c); return c; }

    [Benchmark(Description = "MailFromCommand.TryParse <addr> SIZE BODY")]
    public MailFromCommand? MailFromWithParameters() { MailFromCommand.TryParse(_mailArgumentWithParameters, out var c); return c; }

    [Benchmark(Description = "RcptToCommand.TryParse <addr>")]
    public RcptToCommand? RcptTo() { RcptToCommand.TryParse(_rcptArgument, false, "example.net", out var c); return c; }

    [Benchmark(Description = "RcptToCommand.TryParse <addr> NOTIFY ORCPT")]
    public RcptToCommand? RcptToWithDsn() { RcptToCommand.TryParse(_rcptArgumentWithDsn, false, "example.net", out var c); return c; }
}
