using Postbote.MailAuth.Dkim;
using Postbote.MailAuth.Spf;

namespace Postbote.MailAuth.Tests;

/// <summary>The result words are the registered ones of RFC 8601 §2.7.1/§2.7.2 and RFC 7208 §2.6.</summary>
public sealed class ResultWordTests
{
    [Theory]
    [InlineData(SpfResult.None, "none")]
    [InlineData(SpfResult.Neutral, "neutral")]
    [InlineData(SpfResult.Pass, "pass")]
    [InlineData(SpfResult.Fail, "fail")]
    [InlineData(SpfResult.SoftFail, "softfail")]
    [InlineData(SpfResult.TempError, "temperror")]
    [InlineData(SpfResult.PermError, "permerror")]
    public void Spf_result_words_are_those_of_rfc7208(SpfResult result, string word)
        => Assert.Equal(word, new SpfCheck(result, "mailfrom", "example.org", "").ResultWord);

    [Theory]
    [InlineData(DkimResult.Pass, "pass")]
    [InlineData(DkimResult.TempError, "temperror")]
    [InlineData(DkimResult.PermError, "permerror")]
    [InlineData(DkimResult.Policy, "policy")]
    public void Dkim_result_words_are_those_of_rfc8601(DkimResult result, string word)
        => Assert.Equal(word, new DkimCheck(result, "example.org", "s1", "rsa-sha256", "").ResultWord);
}
