using System.Collections.Concurrent;
using System.Reflection;
using Postbote.Core.Addressing;
using Postbote.Directory;

namespace Postbote.Smtpd.Tests;

/// <summary>
/// An unknown recipient used to make the validator list every user and every alias (to tell a fresh install from a
/// configured one): a scan of the whole directory per rejected RCPT, which a dictionary attack turns into load.
/// Each RCPT must cost indexed lookups only.
/// </summary>
public sealed class RecipientLookupQueryTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "postbote-rcpt-" + Guid.NewGuid().ToString("N"));
    private SqliteMailDirectory _directory = null!;

    /// <summary>Forwards every call to the real directory and counts them by method name.</summary>
    public class CountingDirectory : DispatchProxy
    {
        public IMailDirectory Inner { get; set; } = null!;
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Calls.AddOrUpdate(targetMethod!.Name, 1, (_, n) => n + 1);
            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }

    public async Task InitializeAsync()
    {
        _directory = await SqliteMailDirectory.OpenAsync(Path.Combine(_folder, "directory.db"));
        await _directory.AddDomainAsync("example.org");
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        try { System.IO.Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private (DirectoryRecipientValidator Validator, CountingDirectory Counter) Counted()
    {
        var proxy = DispatchProxy.Create<IMailDirectory, CountingDirectory>();
        var counter = (CountingDirectory)(object)proxy;
        counter.Inner = _directory;
        return (new DirectoryRecipientValidator(proxy), counter);
    }

    private static Mailbox Address(string text)
    {
        Assert.Equal(PathParseResult.Ok, MailboxParser.TryParsePath("<" + text + ">", false, false, out var mailbox, out _));
        return mailbox!;
    }

    [Fact]
    public async Task Unknown_recipient_is_refused_without_listing_the_directory()
    {
        for (int i = 0; i < 200; i++) await _directory.AddUserAsync($"user{i}@example.org", "Password-123456");
        await _directory.AddAliasAsync("sales@example.org", ["user1@example.org"]);
        var (validator, counter) = Counted();

        for (int i = 0; i < 20; i++)
        {
            var result = await validator.ResolveLocalRecipientAsync(Address($"guess{i}@example.org"), CancellationToken.None);
            Assert.Equal((550, "5.1.1"), (result.Refusal?.Code, result.Refusal?.EnhancedStatus));
        }
        Assert.False(counter.Calls.ContainsKey(nameof(IMailDirectory.ListUsersAsync)), "users listed: " + string.Join(", ", counter.Calls));
        Assert.False(counter.Calls.ContainsKey(nameof(IMailDirectory.ListAliasesAsync)), "aliases listed: " + string.Join(", ", counter.Calls));
    }

    [Fact]
    public async Task Fresh_directory_with_only_the_automatic_abuse_alias_still_accepts_every_local_part()
    {
        var (validator, _) = Counted();
        var result = await validator.ResolveLocalRecipientAsync(Address("anyone@example.org"), CancellationToken.None);
        Assert.Null(result.Refusal);
        Assert.Equal(["anyone@example.org"], result.Mailboxes);
    }

    [Fact]
    public async Task First_alias_switches_the_recipient_check_on()
    {
        await _directory.AddAliasAsync("sales@example.org", ["someone@example.net"]);
        var (validator, _) = Counted();
        var result = await validator.ResolveLocalRecipientAsync(Address("anyone@example.org"), CancellationToken.None);
        Assert.Equal(550, result.Refusal?.Code);
    }
}
