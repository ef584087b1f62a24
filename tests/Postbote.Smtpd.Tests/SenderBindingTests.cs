using System.Text;
using Postbote.Core.Smtp;

namespace Postbote.Smtpd.Tests;

/// <summary>The one ownership rule of submission and local submission (issue 11), driven with header bytes.</summary>
public sealed class SenderBindingTests
{
    private static readonly HashSet<string> Owned = new(StringComparer.OrdinalIgnoreCase) { "alice@local.test", "team@local.test" };

    private static async Task<(SenderBindingOutcome, string?)> CheckAsync(string header)
    {
        var parser = new HeaderSectionParser();
        parser.Scan(Encoding.UTF8.GetBytes(header + "\r\n\r\nbody\r\n"));
        return await SenderBinding.CheckAsync(parser, (a, _) => ValueTask.FromResult(Owned.Contains(a)), CancellationToken.None);
    }

    [Theory]
    [InlineData("From: alice@local.test", SenderBindingOutcome.Owned)]
    [InlineData("Subject: no author field", SenderBindingOutcome.Owned)]
    [InlineData("From: Alice <alice@local.test>, team@local.test\r\nSender: alice@local.test", SenderBindingOutcome.Owned)]
    [InlineData("From: alice@local.test\r\nFrom: ceo@example.org", SenderBindingOutcome.SeveralFromFields)]
    [InlineData("From : ceo@example.org", SenderBindingOutcome.FromNotOwned)]
    [InlineData("From: alice@local.test, ceo@example.org", SenderBindingOutcome.FromNotOwned)]
    [InlineData("From: alice@local.test\r\nSender: ceo@example.org", SenderBindingOutcome.SenderNotOwned)]
    [InlineData("From: alice@local.test\r\nSender: a@local.test\r\nSender: b@local.test", SenderBindingOutcome.SeveralSenderFields)]
    [InlineData("From: alice@local.test\r\nSender: alice@local.test, team@local.test", SenderBindingOutcome.Unjudgeable)]
    [InlineData("From: undisclosed-recipients:;", SenderBindingOutcome.Unjudgeable)]
    [InlineData("From:", SenderBindingOutcome.Unjudgeable)]
    [InlineData("Subject: x\r\nnot a field\r\nFrom: ceo@example.org", SenderBindingOutcome.Unjudgeable)]
    [InlineData("From: alice@local.test\r\n junk continuation\r\nnot a field\r\nSender : ceo@example.org", SenderBindingOutcome.Unjudgeable)]
    [InlineData("Subject: x\r\nnot a field\r\nX-From: ceo@example.org", SenderBindingOutcome.Owned)]
    public async Task AuthorFields_AreJudged_Rfc5322_Section3_6_2(string header, SenderBindingOutcome expected)
    {
        var (outcome, _) = await CheckAsync(header);
        Assert.Equal(expected, outcome);
        Assert.Equal(expected == SenderBindingOutcome.Owned, SenderBinding.ReplyFor(outcome) is null);
    }

    [Theory]
    [InlineData("www-data@mx.local.test", true)]
    [InlineData("WWW-DATA@local.test", true)]
    [InlineData("", true)]
    [InlineData("root@mx.local.test", false)]
    [InlineData("www-data@example.org", false)]
    [InlineData("www-data", false)]
    public async Task LocalLogin_OwnsOnlyItsNameAtLocalDomains(string address, bool owned)
    {
        var local = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "mx.local.test", "local.test" };
        Assert.Equal(owned, await SenderBinding.LocalLoginOwnsAsync("www-data", address, (d, _) => ValueTask.FromResult(local.Contains(d)), CancellationToken.None));
    }
}
