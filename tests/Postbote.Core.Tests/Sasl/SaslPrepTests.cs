using Postbote.Core.Sasl;

namespace Postbote.Core.Tests.Sasl;

public class SaslPrepTests
{
    [Theory] // RFC 4013 §3 examples (those not depending on NFKC) and the profile's mappings
    [InlineData("I\u00ADX", "IX")]
    [InlineData("user", "user")]
    [InlineData("USER", "USER")]
    [InlineData("a\u00A0b", "a b")]
    [InlineData("a\u2003b", "a b")]
    [InlineData("a\u200Bb", "ab")]
    [InlineData("p\u00E4ss", "p\u00E4ss")]
    public void Maps(string input, string expected)
    {
        Assert.True(SaslPrep.TryPrepare(input, out var prepared));
        Assert.Equal(expected, prepared);
    }

    [Theory]
    [InlineData("\u0007")]     // RFC 4013 §3: prohibited character
    [InlineData("a\u0000b")]
    [InlineData("a\u007Fb")]
    [InlineData("\u00E4\u0085")]
    [InlineData("x\uE000")]    // private use
    [InlineData("x\uFFFF")]    // non-character
    [InlineData("x\uD800y")]   // lone surrogate
    [InlineData("x\u202Ey")]   // change display direction
    [InlineData("x\u2FF0")]    // ideographic description
    public void Rejects(string input) => Assert.False(SaslPrep.TryPrepare(input, out _));

    [Fact]
    public void Prepare_throws_for_admin_input() => Assert.Throws<ArgumentException>(() => SaslPrep.Prepare("a\u0001"));
}
