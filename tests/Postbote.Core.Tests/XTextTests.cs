using Postbote.Core.Smtp;

namespace Postbote.Core.Tests;

public sealed class XTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a+2Bb", "a+b")]
    [InlineData("+3D", "=")]
    [InlineData("a+20b", "a b")]
    [InlineData("", "")]
    public void Decode_Rfc3461_Section4(string xtext, string value) => Assert.Equal(value, XText.Decode(xtext));

    [Theory]
    [InlineData("a+")]
    [InlineData("a+2")]
    [InlineData("a+G0")]
    [InlineData("a=b")]
    [InlineData("a b")]
    public void Decode_RefusesMalformedXtext_Rfc3461_Section4(string xtext) => Assert.Null(XText.Decode(xtext));

    [Theory]
    [InlineData("a+b=c d")]
    [InlineData("user@example.org")]
    [InlineData("tab\there")]
    public void EncodeThenDecode_RoundTrips_Rfc3461_Section4(string value) => Assert.Equal(value, XText.Decode(XText.Encode(value)));
}
