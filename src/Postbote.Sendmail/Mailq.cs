using System.Globalization;
using System.Text;
using System.Text.Json;
using Postbote.Admin;
using Postbote.Commands;

namespace Postbote.Sendmail;

/// <summary>
/// mailq (sendmail -bp): the queue in Postfix's mailq layout, which scripts and monitoring plugins parse: one block
/// per message, the id marked '*' when active and '!' when on hold, size, arrival, sender (MAILER-DAEMON for the
/// null sender), then the last reply in parentheses and each pending recipient; the total "-- N Kbytes in M Requests.".
/// From the running server's admin.sock (root or the server's user); when the server is stopped, from the spool
/// through `postbote queue list --json`.
/// </summary>
public static class Mailq
{
    private const int SenderColumn = 43;

    public static async Task<int> RunAsync(ClientConfiguration config, CancellationToken ct)
    {
        List<MailqEntry> entries;
        List<MailqDestination> destinations = [];
        try
        {
            using var client = await LocalSocketClient.TryConnectAsync(config.AdminSocket, ct).ConfigureAwait(false);
            if (client is null)
            {
                await Console.Error.WriteLineAsync("mailq: the server is not running: reading the spool").ConfigureAwait(false);
                var args = new List<string> { "queue", "list", "--json" };
                if (config.File is not null) args.AddRange(["--config", config.File]);
                if (await FullPostbote.CaptureAsync(args, ct).ConfigureAwait(false) is not { } run) return ExitCodes.TempFail;
                if (run.Exit != 0) return run.Exit;
                entries = Parse(run.Stdout, MailqJson.Default.ListMailqEntry);
            }
            else
            {
                entries = Parse(await GetAsync(client, "v1/queue", ct).ConfigureAwait(false), MailqJson.Default.ListMailqEntry);
                destinations = Parse(await GetAsync(client, "v1/queue/destinations", ct).ConfigureAwait(false), MailqJson.Default.ListMailqDestination);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync($"mailq: {e.Message}: the queue is shown to root and the server's user").ConfigureAwait(false);
            return ExitCodes.NoPermission;
        }
        catch (Exception e) when (e is AdminException or JsonException)
        {
            await Console.Error.WriteLineAsync("mailq: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }
        Console.Out.Write(Format(entries, destinations));
        return ExitCodes.Ok;
    }

    /// <summary>The listing, as Postfix's mailq prints it.</summary>
    public static string Format(IReadOnlyList<MailqEntry> entries, IReadOnlyList<MailqDestination> destinations)
    {
        var sb = new StringBuilder();
        if (entries.Count == 0) sb.Append("Mail queue is empty\n");
        else
        {
            sb.Append("-Queue ID-".PadRight(13)).Append("--Size--").Append(" ----Arrival Time---- ").Append("-Sender/Recipient-------\n");
            foreach (var e in entries)
            {
                string mark = e.State switch { "hold" => "!", "active" => "*", _ => " " };
                sb.Append((e.Id + mark).PadRight(13)).Append(e.Size.ToString(CultureInfo.InvariantCulture).PadLeft(8)).Append(' ')
                  .Append(Arrival(e.Arrival.ToLocalTime()).PadRight(20)).Append(' ')
                  .Append(e.Sender.Length == 0 ? "MAILER-DAEMON" : e.Sender).Append('\n');
                string? shownReply = null;
                foreach (var r in e.Recipients.Where(r => r.State == "pending"))
                {
                    if ((r.LastReply ?? e.LastReply) is { Length: > 0 } reply && reply != shownReply && e.State != "active")
                        sb.Append('(').Append(shownReply = reply).Append(")\n");
                    sb.Append(' ', SenderColumn).Append(r.Address).Append('\n');
                }
                sb.Append('\n');
            }
            long kbytes = entries.Sum(e => e.Size / 1024 + 1);
            sb.Append("-- ").Append(kbytes).Append(" Kbytes in ").Append(entries.Count).Append(entries.Count == 1 ? " Request.\n" : " Requests.\n");
        }
        foreach (var d in destinations.Where(d => d.Dead))
            sb.Append("-- destination ").Append(d.NextHop).Append(" is dead until ")
              .Append(d.DeadUntil?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" after ")
              .Append(d.ConsecutiveFailures).Append(" failed sessions: ").Append(d.LastFailure).Append('\n');
        return sb.ToString();
    }

    /// <summary>"Fri Dec  4 20:08:14", asctime's layout as Postfix prints it (the day padded with a space).</summary>
    private static string Arrival(DateTimeOffset t) =>
        t.ToString("ddd MMM ", CultureInfo.InvariantCulture) + t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)
        + t.ToString(" HH:mm:ss", CultureInfo.InvariantCulture);

    private static async Task<string> GetAsync(LocalSocketClient client, string path, CancellationToken ct)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new AdminException($"admin endpoint: {(int)response.StatusCode} {LocalSocketClient.Detail(body)}".TrimEnd());
        return body;
    }

    private static List<T> Parse<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<List<T>> type) =>
        JsonSerializer.Deserialize(json, type) ?? [];
}
