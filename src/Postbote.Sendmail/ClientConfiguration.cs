using System.Globalization;
using System.Text.Json;
using Postbote.Core.Addressing;

namespace Postbote.Sendmail;

/// <summary>
/// The three settings sendmail and mailq need (Hostname, DataDirectory, Limits:MessageSizeBytes), read the way
/// `postbote` reads them (the JSON file with comments, then POSTBOTE_Section__Key environment variables, keys in any
/// case) but without the reflection-based binder, so that it compiles to native code. The server validates the rest
/// of the file at its start; a bad value of these three stops sendmail with EX_CONFIG and a message naming the key.
/// </summary>
public sealed record ClientConfiguration(string? File, string Hostname, string DataDirectory, long MessageSizeBytes)
{
    /// <summary>The file read when no --config is given, if it exists (the Debian package's conffile).</summary>
    public const string DefaultFile = "/etc/postbote/postbote.json";

    /// <summary>The server's socket file names, as <c>AdminSockets</c> of `postbote` names them.</summary>
    public string SubmitSocket => Path.Combine(DataDirectory, "submit.sock");
    public string AdminSocket => Path.Combine(DataDirectory, "admin.sock");

    /// <summary>Loads; throws <see cref="FormatException"/> naming the key or the file.</summary>
    public static ClientConfiguration Load(string? file)
    {
        if (file is null && System.IO.File.Exists(DefaultFile)) file = DefaultFile;
        string? hostname = null, dataDirectory = null, size = null;
        if (file is not null)
        {
            file = Path.GetFullPath(file);
            if (!System.IO.File.Exists(file)) throw new FormatException($"configuration file {file} does not exist");
            try
            {
                using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(file),
                    new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"configuration file {file}: not a JSON object");
                hostname = Scalar(doc.RootElement, "Hostname");
                dataDirectory = Scalar(doc.RootElement, "DataDirectory");
                if (Property(doc.RootElement, "Limits") is { ValueKind: JsonValueKind.Object } limits) size = Scalar(limits, "MessageSizeBytes");
            }
            catch (JsonException e) { throw new FormatException($"configuration file {file}: {e.Message}"); }
            catch (UnauthorizedAccessException e) { throw new FormatException($"configuration file {file}: {e.Message}"); }
            catch (IOException e) { throw new FormatException($"configuration file {file}: {e.Message}"); }
        }
        hostname = Environment("Hostname") ?? hostname;
        dataDirectory = Environment("DataDirectory") ?? dataDirectory;
        size = Environment("Limits__MessageSizeBytes") ?? size;

        hostname = string.IsNullOrWhiteSpace(hostname) ? System.Net.Dns.GetHostName() : hostname.Trim();
        if (!MailboxParser.IsDomain(hostname, allowUtf8: false)) throw new FormatException($"Hostname: '{hostname}' is not a valid host name");
        long limit = 52_428_800; // SmtpdLimits.MessageSizeBytes' default
        if (size is not null && (!long.TryParse(size, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit <= 0))
            throw new FormatException($"Limits:MessageSizeBytes: '{size}' is not a positive number of bytes");
        return new ClientConfiguration(file, hostname, Path.GetFullPath(string.IsNullOrEmpty(dataDirectory) ? "data" : dataDirectory), limit);
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        JsonElement? found = null;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) found = p.Value; // the last one wins, as in Microsoft.Extensions.Configuration
        return found;
    }

    private static string? Scalar(JsonElement obj, string name) => Property(obj, name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        { ValueKind: JsonValueKind.Null } => null,
        { } v => throw new FormatException($"{name}: expected a single value, not {v.ValueKind}"),
        null => null,
    };

    /// <summary>POSTBOTE_KEY, the prefix and key in any case (as the configuration's environment provider reads them).</summary>
    private static string? Environment(string key)
    {
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
            if (e.Key is string name && name.Length == 9 + key.Length && name.StartsWith("POSTBOTE_", StringComparison.OrdinalIgnoreCase)
                && name.AsSpan(9).Equals(key, StringComparison.OrdinalIgnoreCase))
                return e.Value as string;
        return null;
    }
}
