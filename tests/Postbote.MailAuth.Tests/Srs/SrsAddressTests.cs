using System.Text;
using Microsoft.Extensions.Time.Testing;
using Postbote.MailAuth.Srs;

namespace Postbote.MailAuth.Tests.Srs;

public sealed class SrsAddressTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a-test-secret-of-some-length");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));

    private SrsAddress Srs(params byte[][] secrets) =>
        new("fwd.example", secrets.Length == 0 ? [Secret] : secrets, TimeSpan.FromDays(21), _time);

    private static (string Local, string Domain) Split(string address)
    {
        int at = address.LastIndexOf('@');
        return (address[..at], address[(at + 1)..]);
    }

    [Fact]
    public void Srs0_has_the_libsrs2_shape_and_reverses_to_the_original_sender()
    {
        var srs = Srs();
        var rewritten = srs.Forward("alice", "origin.example");
        Assert.NotNull(rewritten);
        // SRS0=HHHH=TT=domain=local@srs-domain: 4 hash characters, 2 base32 timestamp characters.
        Assert.Matches(@"^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=origin\.example=alice@fwd\.example$", rewritten);
        var (local, domain) = Split(rewritten!);
        Assert.Equal("fwd.example", domain);
        Assert.Equal(new SrsReversal(SrsStatus.Valid, "alice@origin.example"), srs.Reverse(local));
    }

    [Fact]
    public void Addresses_are_those_postsrsd_makes_with_the_same_secret_and_day()
    {
        // Known answers from Debian's postsrsd 1.10 (-s secret -d fwd.example, on 2026-12-04), an independent libsrs2-style implementation.
        var srs = Srs();
        Assert.Equal("SRS0=4bKA=JX=origin.example=alice@fwd.example", srs.Forward("alice", "origin.example"));
        Assert.Equal("SRS1=KZ2t=hop1.example==abCD=JX=hop1.example=alice@fwd.example", srs.Forward("SRS0=abCD=JX=hop1.example=alice", "hop1.example"));
        Assert.Equal("SRS0=abCD=JX=hop1.example=alice@hop1.example", srs.Reverse("SRS1=KZ2t=hop1.example==abCD=JX=hop1.example=alice").Address);
    }

    [Fact]
    public void The_timestamp_is_the_day_number_modulo_1024_in_base32()
    {
        // 2026-12-04 is day 20791 since 1970; 20791 % 1024 = 311 = 9*32 + 23 -> "J" "X".
        var rewritten = Srs().Forward("alice", "origin.example")!;
        Assert.Equal("JX", rewritten.Split('=')[2]);
    }

    [Fact]
    public void A_local_part_holding_the_separator_survives_the_round_trip()
    {
        var srs = Srs();
        var (local, _) = Split(srs.Forward("a=b+c", "origin.example")!);
        Assert.Equal("a=b+c@origin.example", srs.Reverse(local).Address);
    }

    [Fact]
    public void Case_folding_by_a_relay_does_not_break_the_address()
    {
        var srs = Srs();
        var (local, _) = Split(srs.Forward("Alice", "Origin.Example")!);
        Assert.Equal(SrsStatus.Valid, srs.Reverse(local.ToUpperInvariant()).Status);
        var lower = srs.Reverse(local.ToLowerInvariant());
        Assert.Equal(SrsStatus.Valid, lower.Status);
        Assert.Equal("alice@origin.example", lower.Address);
    }

    [Fact]
    public void An_address_older_than_MaxAge_is_expired_and_one_within_it_is_not()
    {
        var srs = Srs();
        var (local, _) = Split(srs.Forward("alice", "origin.example")!);
        _time.Advance(TimeSpan.FromDays(21));
        Assert.Equal(SrsStatus.Valid, srs.Reverse(local).Status);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(SrsStatus.Expired, srs.Reverse(local).Status);
    }

    [Fact]
    public void The_timestamp_wraps_after_1024_days_without_breaking_fresh_addresses()
    {
        _time.SetUtcNow(new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(1024 * 21 - 2)); // day 1022 of a cycle
        var srs = Srs();
        var (local, _) = Split(srs.Forward("alice", "origin.example")!);
        _time.Advance(TimeSpan.FromDays(5)); // day 3 of the next cycle
        Assert.Equal(SrsStatus.Valid, srs.Reverse(local).Status);
    }

    [Theory]
    [InlineData("SRS0=AAAA=JX=origin.example=alice")] // hash made up
    [InlineData("SRS0=zzzz=JX=origin.example=mallory")]
    public void A_forged_hash_is_refused(string local) =>
        Assert.Equal(SrsStatus.BadHash, Srs().Reverse(local).Status);

    [Fact]
    public void Changing_any_part_of_a_genuine_address_breaks_its_hash()
    {
        var srs = Srs();
        var (local, _) = Split(srs.Forward("alice", "origin.example")!);
        Assert.Equal(SrsStatus.BadHash, srs.Reverse(local.Replace("alice", "mallory")).Status);
        Assert.Equal(SrsStatus.BadHash, srs.Reverse(local.Replace("origin.example", "evil.example")).Status);
        var parts = local.Split('=');
        parts[2] = parts[2] == "AA" ? "AB" : "AA"; // another day: the timestamp is covered too
        Assert.Equal(SrsStatus.BadHash, srs.Reverse(string.Join('=', parts)).Status);
    }

    [Theory]
    [InlineData("SRS0=abcd")]
    [InlineData("SRS0=abcd=JX=origin.example")]
    [InlineData("SRS0=abcd=J!=origin.example=alice")]
    [InlineData("SRS0=abcd=JX==alice")]
    [InlineData("SRS1=abcd")]
    [InlineData("SRS1=abcd=hop.example")]
    public void A_malformed_srs_address_says_so(string local) =>
        Assert.Equal(SrsStatus.Malformed, Srs().Reverse(local).Status);

    [Theory]
    [InlineData("alice")]
    [InlineData("srs")]
    [InlineData("SRS2=abcd=JX=d=l")]
    [InlineData("SRS0x")]
    public void An_ordinary_local_part_is_not_srs(string local)
    {
        Assert.False(SrsAddress.LooksLikeSrs(local));
        Assert.Equal(SrsStatus.NotSrs, Srs().Reverse(local).Status);
    }

    [Fact]
    public void Another_forwarders_Srs0_becomes_Srs1_that_bounces_back_to_that_forwarder()
    {
        // hop1 rewrote alice@origin.example; we forward again.
        var hop1 = new SrsAddress("hop1.example", [Encoding.UTF8.GetBytes("the-secret-of-hop-one")], TimeSpan.FromDays(21), _time);
        var (hop1Local, hop1Domain) = Split(hop1.Forward("alice", "origin.example")!);
        var ours = Srs();
        var srs1 = ours.Forward(hop1Local, hop1Domain)!;
        // SRS1=HHHH=hop1.example==HHHH=TT=origin.example=alice@fwd.example (libsrs2's double separator).
        Assert.Matches(@"^SRS1=[A-Za-z0-9+/]{4}=hop1\.example==[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=origin\.example=alice@fwd\.example$", srs1);
        var back = ours.Reverse(Split(srs1).Local);
        Assert.Equal(SrsStatus.Valid, back.Status);
        Assert.Equal(hop1Local + "@" + hop1Domain, back.Address);
        Assert.Equal("alice@origin.example", hop1.Reverse(Split(back.Address!).Local).Address);
    }

    [Fact]
    public void An_Srs1_forwarded_again_keeps_the_first_hop_and_takes_our_hash()
    {
        var hop1 = new SrsAddress("hop1.example", [Encoding.UTF8.GetBytes("the-secret-of-hop-one")], TimeSpan.FromDays(21), _time);
        var hop2 = new SrsAddress("hop2.example", [Encoding.UTF8.GetBytes("the-secret-of-hop-two")], TimeSpan.FromDays(21), _time);
        var (l1, d1) = Split(hop1.Forward("alice", "origin.example")!);
        var (l2, d2) = Split(hop2.Forward(l1, d1)!);
        var ours = Srs();
        var srs1 = ours.Forward(l2, d2)!;
        Assert.Contains("=hop1.example==", srs1);
        Assert.DoesNotContain("hop2.example", srs1);
        Assert.Equal(l1 + "@" + d1, ours.Reverse(Split(srs1).Local).Address);
        Assert.Equal(SrsStatus.BadHash, ours.Reverse(l2).Status); // hop2's hash is not ours
    }

    [Fact]
    public void A_forged_Srs1_is_refused() =>
        Assert.Equal(SrsStatus.BadHash, Srs().Reverse("SRS1=AAAA=hop1.example==abcd=JX=origin.example=alice").Status);

    [Fact]
    public void Every_secret_verifies_and_the_first_signs()
    {
        var old = Encoding.UTF8.GetBytes("the-old-secret-being-retired");
        var (local, _) = Split(Srs(old).Forward("alice", "origin.example")!);
        var rotated = Srs(Secret, old);
        Assert.Equal(SrsStatus.Valid, rotated.Reverse(local).Status);
        var (fresh, _) = Split(rotated.Forward("alice", "origin.example")!);
        Assert.Equal(SrsStatus.Valid, Srs(Secret).Reverse(fresh).Status);
        Assert.Equal(SrsStatus.BadHash, Srs(old).Reverse(fresh).Status);
    }

    [Theory]
    [InlineData("a b", "origin.example")]
    [InlineData("alice", "[192.0.2.1]")]
    public void A_sender_that_cannot_be_encoded_is_left_alone(string local, string domain) =>
        Assert.Null(Srs().Forward(local, domain));

    [Fact]
    public void The_secret_file_is_created_0600_with_one_secret_and_kept()
    {
        var dir = Directory.CreateTempSubdirectory("srs-secret-");
        try
        {
            var path = Path.Combine(dir.FullName, "srs.secret");
            var first = SrsSecrets.LoadOrCreate(path);
            Assert.Single(first);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(first[0], SrsSecrets.LoadOrCreate(path)[0]);
            File.WriteAllText(path, "# rotated 2026-12\nthe-new-secret-of-december\n\n" + File.ReadAllText(path));
            var rotated = SrsSecrets.LoadOrCreate(path);
            Assert.Equal(2, rotated.Count);
            Assert.Equal("the-new-secret-of-december", Encoding.UTF8.GetString(rotated[0]));
            File.WriteAllText(path, "short\n");
            Assert.Throws<InvalidDataException>(() => SrsSecrets.LoadOrCreate(path));
        }
        finally { dir.Delete(true); }
    }
}
