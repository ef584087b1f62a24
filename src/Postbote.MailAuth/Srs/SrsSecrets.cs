using System.Security.Cryptography;
using System.Text;

namespace Postbote.MailAuth.Srs;

/// <summary>
/// The secrets file of SRS (Srs:SecretFile): one secret per line, the first signs, all verify; blank lines and
/// lines starting with # are ignored. Created on first use with one random secret, mode 0600 from the first moment.
/// </summary>
public static class SrsSecrets
{
    private const UnixFileMode SecretFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Reads the secrets of <paramref name="path"/>, creating the file with a new secret when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file holds no secret, or one shorter than 16 characters.</exception>
    public static IReadOnlyList<byte[]> LoadOrCreate(string path)
    {
        if (!File.Exists(path)) Create(path);
        var secrets = new List<byte[]>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.Length < 16) throw new InvalidDataException($"{path}: an SRS secret must be at least 16 characters long");
            secrets.Add(Encoding.UTF8.GetBytes(line));
        }
        if (secrets.Count == 0) throw new InvalidDataException($"{path} holds no SRS secret");
        return secrets;
    }

    private static void Create(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = SecretFileMode;
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(secret + "\n"));
            file.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path)) { } // created meanwhile by another process: use theirs
    }
}
