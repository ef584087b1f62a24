using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class SmtpCommandParserTests
{
    [Theory]
    [MemberData(nameof(SmtpParsingData.Verbs), MemberType = typeof(SmtpParsingData))]
    public void Verb_IsRecognisedCaseInsensitively_AndNeedsASpaceAfterIt_Rfc5321_Section4_1_1(string line, SmtpVerb verb, string argument)
    {
        var parsed = SmtpCommandParser.Parse(Encoding.UTF8.GetBytes(line), out var arg);
        Assert.Equal(verb, parsed);
        if (verb is not SmtpVerb.Http and not SmtpVerb.Unknown) Assert.Equal(argument, Encoding.UTF8.GetString(arg));
    }

    [Fact]
    public void StartTls_IsReadAsEightBytes_NotConfusedWithOtherStarVerbs()
    {
        Assert.Equal(SmtpVerb.StartTls, SmtpCommandParser.Parse("StArTtLs"u8, out var arg));
        Assert.True(arg.IsEmpty);
        Assert.Equal(SmtpVerb.StartTls, SmtpCommandParser.Parse("STARTTLS extra"u8, out arg));
        Assert.Equal("extra", Encoding.ASCII.GetString(arg));
        Assert.Equal(SmtpVerb.Unknown, SmtpCommandParser.Parse("STARTSSL"u8, out _));
    }

    [Fact]
    public void CaseFolding_DoesNotTurnPunctuationIntoLetters()
    {
        // OR-ing 0x20 maps '@' (0x40) to '`' (0x60) etc.; only letters may match.
        Assert.Equal(SmtpVerb.Unknown, SmtpCommandParser.Parse("DAT\x01"u8, out _));
        Assert.Equal(SmtpVerb.Unknown, SmtpCommandParser.Parse("D@T@"u8, out _));
    }
}
