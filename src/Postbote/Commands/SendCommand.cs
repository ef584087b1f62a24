using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Postbote.Core.Sasl;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>`postbote send`: a swaks-like test client that prints the whole dialogue.</summary>
public sealed class SendCommand : AsyncCommand<SendSettings>
{
    private sealed class ReplyException(int code, string text) : Exception(text)
    {
        public int Code => code;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, SendSettings s, CancellationToken ct)
    {
        if (s.To.Length == 0) return Usage("at least one --to is needed");
        if (s.StartTls && s.ImplicitTls) return Usage("--starttls and --tls exclude each other");
        if (s.Auth is { IsSet: true } && (s.User is null || !s.PasswordStdin)) return Usage("--auth needs --user and --password-stdin");
        if (s.Body is not null && s.Data is not null) return Usage("--body and --data exclude each other");
        var (host, port) = ParseServer(s.Server, s.ImplicitTls ? 465 : 25);
        if (port <= 0) return Usage($"--server {s.Server}: expected host[:port]");
        string? password = s.PasswordStdin ? Console.In.ReadLine()?.TrimEnd('\r', '\n') : null;
        string from = s.From ?? $"{Environment.UserName}@{System.Net.Dns.GetHostName()}";
        byte[] message;
        try { message = BuildMessage(s, from); }
        catch (IOException e) { return Usage(e.Message); }

        await using var smtp = new SmtpTranscriptClient(Console.Out);
        try
        {
            await smtp.ConnectAsync(host, port, s.ImplicitTls, ct);
            await Expect(smtp, 220, ct);
            string ehlo = s.Ehlo ?? System.Net.Dns.GetHostName();
            await smtp.SendAsync("EHLO " + ehlo, ct);
            var caps = (await Expect(smtp, 250, ct)).Skip(1).ToList();
            if (s.StartTls)
            {
                if (!caps.Any(c => c.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase))) throw new ReplyException(0, "the server does not offer STARTTLS");
                await smtp.SendAsync("STARTTLS", ct);
                await Expect(smtp, 220, ct);
                await smtp.StartTlsAsync(host, ct);
                await smtp.SendAsync("EHLO " + ehlo, ct);
                caps = (await Expect(smtp, 250, ct)).Skip(1).ToList();
            }
            if (s.Auth is { IsSet: true }) await AuthenticateAsync(smtp, caps, s.Auth.Value, s.User!, password ?? "", ct);
            bool pipelining = s.Pipelining && caps.Any(c => c.Equals("PIPELINING", StringComparison.OrdinalIgnoreCase));
            await smtp.SendAsync($"MAIL FROM:<{from}>", ct);
            if (pipelining)
            {
                foreach (var to in s.To) await smtp.SendAsync($"RCPT TO:<{to}>", ct);
                await smtp.SendAsync("DATA", ct);
                // Read every reply of the group before judging any (RFC 2920 §3.1), so QUIT is answered in step.
                var replies = new List<(int Code, List<string> Lines, int Want)> { (await smtp.ReadReplyAsync(ct)) is var m ? (m.Code, m.Lines, 250) : default };
                foreach (var _ in s.To) { var r = await smtp.ReadReplyAsync(ct); replies.Add((r.Code, r.Lines, 250)); }
                var d = await smtp.ReadReplyAsync(ct);
                replies.Add((d.Code, d.Lines, 354));
                if (d.Code == 354 && replies.Any(r => r.Code != r.Want))
                {
                    await smtp.SendDataAsync([], ct); // nothing valid to send: end the DATA at once
                    await smtp.ReadReplyAsync(ct);
                }
                if (replies.FirstOrDefault(r => r.Code != r.Want) is { Lines: not null } bad) throw new ReplyException(bad.Code, string.Join(" ", bad.Lines));
            }
            else
            {
                await Expect(smtp, 250, ct);
                foreach (var to in s.To)
                {
                    await smtp.SendAsync($"RCPT TO:<{to}>", ct);
                    await Expect(smtp, 250, ct);
                }
                await smtp.SendAsync("DATA", ct);
                await Expect(smtp, 354, ct);
            }
            await smtp.SendDataAsync(message, ct);
            await Expect(smtp, 250, ct);
            await smtp.SendAsync("QUIT", ct);
            await smtp.ReadReplyAsync(ct);
            Console.WriteLine("=== Connection closed with remote host.");
            return ExitCodes.Ok;
        }
        catch (ReplyException e)
        {
            await Console.Error.WriteLineAsync("postbote send: " + (e.Code == 0 ? e.Message : $"the server said: {e.Code} {e.Message}"));
            try { await smtp.SendAsync("QUIT", ct); await smtp.ReadReplyAsync(ct); } catch (IOException) { }
            return e.Code is >= 400 and < 500 ? ExitCodes.TempFail : ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or SaslClientException)
        {
            await Console.Error.WriteLineAsync($"postbote send: {e.Message}");
            return ExitCodes.Unavailable;
        }
    }

    private static async Task AuthenticateAsync(SmtpTranscriptClient smtp, List<string> caps, string? requested, string user, string password, CancellationToken ct)
    {
        var offered = caps.FirstOrDefault(c => c.StartsWith("AUTH ", StringComparison.OrdinalIgnoreCase))?[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (offered.Length == 0) throw new ReplyException(0, "the server offers no AUTH here" + (caps.Any(c => c == "STARTTLS") ? " (try --starttls)" : ""));
        string name = string.IsNullOrEmpty(requested) ? SaslClientMechanisms.Choose(offered) ?? offered[0] : requested;
        var mech = SaslClientMechanisms.Create(name, user, password) ?? throw new ReplyException(0, $"unknown AUTH mechanism {name}");
        var initial = mech.InitialResponse();
        if (initial is null) await smtp.SendAsync("AUTH " + mech.Name, ct);
        else await smtp.SendAsync($"AUTH {mech.Name} {Convert.ToBase64String(initial)}", ct, $"AUTH {mech.Name} ********");
        while (true)
        {
            var (code, lines) = await smtp.ReadReplyAsync(ct);
            if (code == 235) return;
            if (code != 334) throw new ReplyException(code, string.Join(" ", lines));
            byte[] challenge = lines[0].Length == 0 ? [] : Convert.FromBase64String(lines[0].Trim());
            await smtp.SendAsync(Convert.ToBase64String(mech.Respond(challenge)), ct, "********");
        }
    }

    private static async Task<List<string>> Expect(SmtpTranscriptClient smtp, int code, CancellationToken ct)
    {
        var (got, lines) = await smtp.ReadReplyAsync(ct);
        if (got != code) throw new ReplyException(got, string.Join(" ", lines));
        return lines;
    }

    private static byte[] BuildMessage(SendSettings s, string from)
    {
        if (s.Data is { } data)
        {
            var raw = data.StartsWith('@') ? File.ReadAllBytes(data[1..]) : Encoding.UTF8.GetBytes(data.Replace("\\n", "\n"));
            return SendmailMessage.ToCrlf(raw, ignoreDots: true);
        }
        var now = DateTimeOffset.Now;
        var headers = new List<(string Name, string Value)>
        {
            ("Date", now.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + now.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "")),
            ("To", string.Join(", ", s.To)),
            ("From", from),
            ("Subject", "test " + now.ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture)),
            ("Message-Id", $"<{now.ToUnixTimeMilliseconds()}.{Guid.NewGuid().ToString("N")[..8]}@{System.Net.Dns.GetHostName()}>"),
            ("X-Mailer", "postbote send " + VersionInfo.Version),
        };
        foreach (var h in s.Headers)
        {
            int colon = h.IndexOf(':');
            if (colon <= 0) throw new IOException($"--header '{h}': expected \"Name: value\"");
            string name = h[..colon].Trim();
            headers.RemoveAll(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            headers.Add((name, h[(colon + 1)..].Trim()));
        }
        var text = string.Concat(headers.Select(h => $"{h.Name}: {h.Value}\n")) + "\n" + (s.Body ?? "This is a test mailing") + "\n";
        return SendmailMessage.ToCrlf(Encoding.UTF8.GetBytes(text), ignoreDots: true);
    }

    private static (string Host, int Port) ParseServer(string server, int defaultPort)
    {
        if (server.StartsWith('['))
        {
            int close = server.IndexOf(']');
            if (close < 0) return (server, -1);
            var h = server[1..close];
            return (h, close + 1 < server.Length && server[close + 1] == ':' && int.TryParse(server[(close + 2)..], out var p) ? p : close + 1 == server.Length ? defaultPort : -1);
        }
        int colon = server.LastIndexOf(':');
        if (colon < 0 || server.IndexOf(':') != colon) return (server, defaultPort);
        return int.TryParse(server[(colon + 1)..], out var port) && port is > 0 and < 65536 ? (server[..colon], port) : (server, -1);
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("postbote send: " + message);
        return ExitCodes.Usage;
    }
}
