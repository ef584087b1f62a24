using System.Text.RegularExpressions;
using Postbote.MailAuth.Dkim;

namespace Postbote.MailAuth.Tests.Dkim;

public sealed class DkimKeyStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "postbote-dkim-" + Guid.NewGuid().ToString("N")[..10]);
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Keygen_writes_a_pkcs8_pem_only_the_owner_can_read_under_domain_and_selector()
    {
        var store = new DkimKeyStore(_root);
        using var key = store.Create("Example.ORG", null, DkimAlgorithm.RsaSha256, 2048, Now);
        var path = Path.Combine(_root, "example.org", "pb202612.key");
        Assert.True(File.Exists(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
        Assert.Equal(2048, key.KeyBits);
        var loaded = Assert.Single(store.Load());
        Assert.Equal(("example.org", "pb202612", DkimAlgorithm.RsaSha256), (loaded.Domain, loaded.Selector, loaded.Algorithm));
        Assert.Equal(key.PublicKeyBase64, loaded.PublicKeyBase64);
    }

    [Fact]
    public void Zone_file_line_is_the_record_in_strings_of_at_most_255_octets()
    {
        var store = new DkimKeyStore(_root);
        using var key = store.Create("example.org", "s1", DkimAlgorithm.RsaSha256, 2048, Now);
        var m = Regex.Match(key.ZoneFileLine, "^s1\\._domainkey\\.example\\.org\\. IN TXT (\"[^\"]{1,255}\"(?: \"[^\"]{1,255}\")*)$");
        Assert.True(m.Success, key.ZoneFileLine);
        var joined = string.Concat(Regex.Matches(m.Groups[1].Value, "\"([^\"]*)\"").Select(s => s.Groups[1].Value));
        Assert.Equal(key.TxtRecord, joined);
        Assert.StartsWith("v=DKIM1; k=rsa; p=MIIBIjAN", joined); // SubjectPublicKeyInfo of a 2048-bit key
        Assert.True(m.Groups[1].Value.Split("\" \"").Length >= 2);
    }

    [Fact]
    public void Ed25519_key_record_is_the_raw_32_octet_public_key_rfc8463_4_2()
    {
        var store = new DkimKeyStore(_root);
        using var key = store.Create("example.org", "ed", DkimAlgorithm.Ed25519Sha256, 0, Now);
        Assert.Equal(32, Convert.FromBase64String(key.PublicKeyBase64).Length);
        Assert.Equal($"v=DKIM1; k=ed25519; p={key.PublicKeyBase64}", key.TxtRecord);
        var loaded = Assert.Single(store.Load("example.org"));
        Assert.Equal(DkimAlgorithm.Ed25519Sha256, loaded.Algorithm);
        Assert.Equal(key.PublicKeyBase64, loaded.PublicKeyBase64);
    }

    [Fact]
    public void A_second_key_in_the_same_month_gets_a_new_selector_and_remove_deletes_one()
    {
        var store = new DkimKeyStore(_root);
        store.Create("example.org", null, DkimAlgorithm.RsaSha256, 1024, Now).Dispose();
        Assert.Equal("pb202612-2", store.NewSelector("example.org", Now));
        store.Create("example.org", null, DkimAlgorithm.RsaSha256, 1024, Now).Dispose();
        Assert.Equal(["pb202612", "pb202612-2"], store.Load("example.org").Select(k => k.Selector).Order().ToArray());
        Assert.Throws<IOException>(() => store.Create("example.org", "pb202612", DkimAlgorithm.RsaSha256, 1024, Now));
        Assert.True(store.Remove("example.org", "pb202612"));
        Assert.False(store.Remove("example.org", "pb202612"));
        Assert.False(store.Remove("example.org", "../../etc"));
        Assert.Equal("pb202612-2", Assert.Single(store.Load()).Selector);
    }

    [Theory]
    [InlineData("s1", true)]
    [InlineData("pb202612-2", true)]
    [InlineData("a.b", true)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("../x", false)]
    [InlineData("a b", false)]
    public void Selectors_follow_rfc6376_3_1(string selector, bool valid) => Assert.Equal(valid, DkimKeyStore.IsSelector(selector));

    [Fact]
    public void Bad_arguments_are_refused_with_a_clear_message()
    {
        var store = new DkimKeyStore(_root);
        Assert.Contains("not a domain", Assert.Throws<ArgumentException>(() => store.Create("no domain", null, DkimAlgorithm.RsaSha256, 2048, Now)).Message);
        Assert.Contains("1024 to 4096", Assert.Throws<ArgumentException>(() => store.Create("example.org", null, DkimAlgorithm.RsaSha256, 512, Now)).Message);
        Assert.Contains("not a selector", Assert.Throws<ArgumentException>(() => store.Create("example.org", "a/b", DkimAlgorithm.RsaSha256, 2048, Now)).Message);
    }
}
