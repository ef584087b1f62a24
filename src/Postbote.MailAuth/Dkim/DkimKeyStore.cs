using System.Globalization;
using System.Security.Cryptography;

namespace Postbote.MailAuth.Dkim;

/// <summary>
/// The signing keys, one PKCS#8 PEM file per key: <c>DataDirectory/dkim/DOMAIN/SELECTOR.key</c>, created 0600 (and
/// its directories 0700) so the private key is never readable by others, not even for a moment. A domain with a
/// key is signed for; removing its last key stops signing. The oldest key of each algorithm signs, so a key made
/// by a rotation waits until its record is published and the old key is removed.
/// </summary>
public sealed class DkimKeyStore
{
    private const string Extension = ".key";
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public DkimKeyStore(string directory) => Directory = directory;

    /// <summary>The store's root, e.g. /var/lib/postbote/dkim.</summary>
    public string Directory { get; }

    /// <summary>The default selector for a key made at <paramref name="now"/>: pbYYYYMM, then pbYYYYMM-2, -3... if taken.</summary>
    public string NewSelector(string domain, DateTimeOffset now)
    {
        string basis = "pb" + now.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
        string selector = basis;
        for (int n = 2; File.Exists(PathOf(domain, selector)); n++) selector = basis + "-" + n.ToString(CultureInfo.InvariantCulture);
        return selector;
    }

    /// <summary>Creates and stores a new key.</summary>
    /// <exception cref="ArgumentException">A bad domain, selector or key size.</exception>
    /// <exception cref="IOException">The selector exists already, or the file cannot be written.</exception>
    public DkimSigningKey Create(string domain, string? selector, DkimAlgorithm algorithm, int bits, DateTimeOffset now)
    {
        domain = NormalizeDomain(domain);
        selector ??= NewSelector(domain, now);
        if (!IsSelector(selector)) throw new ArgumentException($"'{selector}' is not a selector (letters, digits, '-' and '.' between labels)");
        if (algorithm == DkimAlgorithm.RsaSha256 && bits is < 1024 or > 4096 || bits % 8 != 0)
            throw new ArgumentException("RSA keys have 1024 to 4096 bits (2048 recommended, RFC 8301 §3.2)");
        var key = DkimSigningKey.Generate(domain, selector, algorithm, bits, now);
        var path = PathOf(domain, selector);
        CreateDirectory(Directory);
        CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = KeyFileMode; // 0600 from the first moment, whatever the umask
        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(key.ToPem());
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        return key;
    }

    /// <summary>Every stored key, by domain then creation time; unreadable files are reported in <paramref name="problems"/>.</summary>
    public IReadOnlyList<DkimSigningKey> Load(List<string>? problems = null)
    {
        var keys = new List<DkimSigningKey>();
        if (!System.IO.Directory.Exists(Directory)) return keys;
        foreach (var domainDir in System.IO.Directory.EnumerateDirectories(Directory))
        {
            string domain = Path.GetFileName(domainDir);
            foreach (var file in System.IO.Directory.EnumerateFiles(domainDir, "*" + Extension))
            {
                string selector = Path.GetFileNameWithoutExtension(file);
                try
                {
                    var created = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
                    keys.Add(DkimSigningKey.FromPem(domain, selector, File.ReadAllText(file), created));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or FormatException or ArgumentException or InvalidCastException)
                {
                    problems?.Add($"{file}: {e.Message}");
                }
            }
        }
        return keys.OrderBy(k => k.Domain, StringComparer.Ordinal).ThenBy(k => k.Created).ThenBy(k => k.Selector, StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether <paramref name="key"/> signs: the oldest key of its domain and algorithm in <paramref name="all"/> does.</summary>
    public static bool IsSigning(DkimSigningKey key, IReadOnlyList<DkimSigningKey> all) =>
        all.First(k => k.Domain == key.Domain && k.Algorithm == key.Algorithm) == key;

    /// <summary>The keys of one domain, oldest first.</summary>
    public IReadOnlyList<DkimSigningKey> Load(string domain)
    {
        domain = NormalizeDomain(domain);
        return Load().Where(k => k.Domain == domain).ToList();
    }

    /// <summary>Removes one key; false if there is none.</summary>
    public bool Remove(string domain, string selector)
    {
        domain = NormalizeDomain(domain);
        if (!IsSelector(selector)) return false;
        var path = PathOf(domain, selector);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        var dir = Path.GetDirectoryName(path)!;
        if (!System.IO.Directory.EnumerateFileSystemEntries(dir).Any()) System.IO.Directory.Delete(dir);
        return true;
    }

    private string PathOf(string domain, string selector) => Path.Combine(Directory, domain, selector + Extension);

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(path);
        else System.IO.Directory.CreateDirectory(path, DirectoryMode);
    }

    /// <summary>Lower-case A-label form, without a final dot.</summary>
    /// <exception cref="ArgumentException">Not a domain name.</exception>
    public static string NormalizeDomain(string domain)
    {
        var d = domain.Trim().TrimEnd('.');
        if (!Core.Addressing.MailboxParser.IsDomain(d, allowUtf8: true)) throw new ArgumentException($"'{domain}' is not a domain name");
        return Core.Addressing.Mailbox.ToAscii(d).ToLowerInvariant();
    }

    /// <summary>RFC 6376 §3.1: selector = sub-domain *( "." sub-domain ), labels of letters, digits and inner hyphens.</summary>
    public static bool IsSelector(string selector)
    {
        if (selector.Length is 0 or > 63) return false;
        foreach (var label in selector.Split('.'))
        {
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-') return false;
            foreach (char c in label)
                if (!char.IsAsciiLetterOrDigit(c) && c != '-') return false;
        }
        return true;
    }
}
