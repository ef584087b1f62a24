using System.Security.Cryptography;
using System.Text;

namespace Postbote.MailAuth.Srs;

/// <summary>
/// The Sender Rewriting Scheme in the form of Shevek's paper and libsrs2 (the one postsrsd, Exim and Stalwart speak):
/// <c>SRS0=HHHH=TT=orig-domain=orig-local@our-domain</c>, where HHHH is the first 4 characters of the base64
/// HMAC-SHA1 (keyed with our secret) of the lower-cased TT, orig-domain and orig-local, and TT the day number modulo
/// 1024 in two base32 characters. An SRS0 address of another forwarder becomes
/// <c>SRS1=HHHH=their-domain==their-hash=TT=orig-domain=orig-local@our-domain</c> (hash over their-domain and the
/// rest), so that the bounce goes back to them rather than through every hop. Case-insensitive throughout: some
/// MTAs fold the local part, so hashes and timestamps are compared regardless of case.
/// </summary>
public sealed class SrsAddress
{
    /// <summary>Timestamps count days modulo this (10 bits, two base32 characters).</summary>
    public const int TimestampCycleDays = 1024;

    /// <summary>Characters of the hash kept: 4, as libsrs2 and postsrsd (24 bits: forging one takes 16 million tries).</summary>
    public const int HashLength = 4;

    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private readonly byte[][] _secrets;
    private readonly int _maxAgeDays;
    private readonly TimeProvider _time;

    /// <param name="domain">Our SRS domain (Srs:Domain), ASCII.</param>
    /// <param name="secrets">The first signs, every one verifies.</param>
    public SrsAddress(string domain, IReadOnlyList<byte[]> secrets, TimeSpan maxAge, TimeProvider time)
    {
        if (secrets.Count == 0) throw new ArgumentException("at least one SRS secret is needed", nameof(secrets));
        Domain = domain.TrimEnd('.').ToLowerInvariant();
        _secrets = secrets.ToArray();
        _maxAgeDays = (int)Math.Ceiling(maxAge.TotalDays);
        _time = time;
    }

    /// <summary>The domain of the addresses made (Srs:Domain).</summary>
    public string Domain { get; }

    /// <summary>True for our SRS domain (ASCII, any case).</summary>
    public bool IsSrsDomain(string asciiDomain) => asciiDomain.TrimEnd('.').Equals(Domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the local part starts with SRS0 or SRS1 and a separator (=, + or -), in any case.</summary>
    public static bool LooksLikeSrs(string localPart) => Tag(localPart) != 0;

    /// <summary>
    /// The SRS address that replaces the sender local@domain on forwarded mail, or null when it cannot be rewritten
    /// (a local part that needs quoting, or an address literal): the mail then keeps its sender.
    /// </summary>
    public string? Forward(string localPart, string domain)
    {
        if (localPart.Length == 0 || domain.Length == 0 || domain.StartsWith('[') || domain.Contains('=')
            || Core.Addressing.Mailbox.QuoteLocalPart(localPart) != localPart)
            return null;
        switch (Tag(localPart))
        {
            case '\0':
                string tt = Timestamp(Today());
                return $"SRS0={Hash(_secrets[0], tt, domain, localPart)}={tt}={domain}={localPart}@{Domain}";
            case '0':
                // An SRS0 address of another forwarder (domain): keep it whole, signed by us, as SRS1.
                string srsUser = localPart[4..];
                return $"SRS1={Hash(_secrets[0], domain, srsUser)}={domain}={srsUser}@{Domain}";
            default:
                // Already SRS1: the first forwarder and its part stay, the hash becomes ours.
                if (!TrySplitSrs1(localPart, out _, out var firstHop, out var user)) return null;
                return $"SRS1={Hash(_secrets[0], firstHop, user)}={firstHop}={user}@{Domain}";
        }
    }

    /// <summary>Decodes the local part of an address of our SRS domain: where a bounce to it goes, or why it is refused.</summary>
    public SrsReversal Reverse(string localPart)
    {
        switch (Tag(localPart))
        {
            case '\0':
                return new SrsReversal(SrsStatus.NotSrs);
            case '0':
            {
                // HHHH=TT=domain=local; the original local part may itself hold '='.
                var parts = localPart[5..].Split('=', 4);
                if (parts.Length != 4 || parts[0].Length == 0 || parts[2].Length == 0 || parts[3].Length == 0
                    || !TryParseTimestamp(parts[1], out int stamp))
                    return new SrsReversal(SrsStatus.Malformed);
                if (!HashMatches(parts[0], parts[1], parts[2], parts[3])) return new SrsReversal(SrsStatus.BadHash);
                int age = ((Today() - stamp) % TimestampCycleDays + TimestampCycleDays) % TimestampCycleDays;
                if (age > _maxAgeDays) return new SrsReversal(SrsStatus.Expired);
                return new SrsReversal(SrsStatus.Valid, parts[3] + "@" + parts[2]);
            }
            default:
            {
                if (!TrySplitSrs1(localPart, out var hash, out var firstHop, out var user)) return new SrsReversal(SrsStatus.Malformed);
                if (!HashMatches(hash, firstHop, user)) return new SrsReversal(SrsStatus.BadHash);
                // Back to the first forwarder as the SRS0 address it made: it checks its own hash and timestamp.
                return new SrsReversal(SrsStatus.Valid, "SRS0" + user + "@" + firstHop);
            }
        }
    }

    /// <summary>'0' for SRS0, '1' for SRS1 (each followed by =, + or -), 0 otherwise.</summary>
    private static char Tag(string localPart)
    {
        if (localPart.Length < 6 || (localPart[0] | 0x20) != 's' || (localPart[1] | 0x20) != 'r' || (localPart[2] | 0x20) != 's'
            || localPart[4] is not ('=' or '+' or '-'))
            return '\0';
        return localPart[3] is '0' or '1' ? localPart[3] : '\0';
    }

    /// <summary>Splits "SRS1=HHHH=first-hop=srs0-rest" where srs0-rest keeps its own leading separator.</summary>
    private static bool TrySplitSrs1(string localPart, out string hash, out string firstHop, out string user)
    {
        hash = firstHop = user = "";
        var rest = localPart.AsSpan(5);
        int a = rest.IndexOf('=');
        if (a <= 0) return false;
        int b = rest[(a + 1)..].IndexOf('=');
        if (b <= 0) return false;
        hash = rest[..a].ToString();
        firstHop = rest.Slice(a + 1, b).ToString();
        user = rest[(a + 1 + b + 1)..].ToString();
        return user.Length > 1 && user[0] is '=' or '+' or '-';
    }

    private int Today() => (int)(_time.GetUtcNow().ToUnixTimeSeconds() / 86400 % TimestampCycleDays);

    private static string Timestamp(int days) => string.Create(2, days, static (s, d) =>
    {
        s[0] = Base32[(d >> 5) & 31];
        s[1] = Base32[d & 31];
    });

    private static bool TryParseTimestamp(string text, out int days)
    {
        days = 0;
        if (text.Length != 2) return false;
        int hi = Base32.IndexOf(char.ToUpperInvariant(text[0])), lo = Base32.IndexOf(char.ToUpperInvariant(text[1]));
        if (hi < 0 || lo < 0) return false;
        days = hi << 5 | lo;
        return true;
    }

    private bool HashMatches(string given, params string[] data)
    {
        if (given.Length != HashLength) return false;
        foreach (var secret in _secrets)
            if (string.Equals(Hash(secret, data), given, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The first <see cref="HashLength"/> base64 characters of HMAC-SHA1(secret, lower-cased data concatenated).</summary>
    private static string Hash(byte[] secret, params string[] data)
    {
        var text = string.Concat(data).ToLowerInvariant();
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, Encoding.UTF8.GetBytes(text), mac);
        return Convert.ToBase64String(mac)[..HashLength];
    }
}
