using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Postbote.Configuration;
using Postbote.Queue;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Postbote.Commands;

/// <summary>`postbote queue list`: what mailq shows, read from the spool.</summary>
public sealed class QueueListCommand : Command<ConfigSettings>
{
    public override int Execute(CommandContext context, ConfigSettings settings, CancellationToken cancellationToken)
    {
        ResolvedConfiguration config;
        try { config = ConfigurationLoader.Load(settings.ConfigFile, Array.Empty<string>()); }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine("postbote: " + e.Message);
            return ExitCodes.Config;
        }
        if (!System.IO.Directory.Exists(config.QueueDirectory))
        {
            Console.WriteLine(settings.Json ? "[]" : "Mail queue is empty");
            return ExitCodes.Ok;
        }
        var spool = new Spool(config.QueueDirectory, TimeProvider.System, NullLogger<Spool>.Instance);
        var rows = new List<(QueueState State, Core.Envelope.QueuedMessage Env)>();
        foreach (var state in new[] { QueueState.Active, QueueState.Hold })
            foreach (var env in spool.List(state)) rows.Add((state, env));
        if (settings.Json)
        {
            var json = rows.Select(r => new
            {
                id = r.Env.QueueId, state = r.State.ToString().ToLowerInvariant(), size = r.Env.Size, arrival = r.Env.ArrivalTime,
                sender = r.Env.ReversePath, recipients = r.Env.Recipients.Select(x => new { address = x.Address, state = x.State.ToString().ToLowerInvariant(), status = x.Status, diagnostic = x.Diagnostic }),
            });
            Console.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        if (rows.Count == 0)
        {
            Console.WriteLine("Mail queue is empty");
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("Queue ID", "State", "Size", "Arrival", "Sender", "Recipients", "Last reply");
        foreach (var (state, env) in rows)
        {
            var pending = env.Recipients.Where(r => !r.IsDone).ToList();
            table.AddRow(Markup.Escape(env.QueueId), state == QueueState.Hold ? "hold" : env.Attempts == 0 ? "active" : "deferred",
                env.Size.ToString(), env.ArrivalTime.ToString("yyyy-MM-dd HH:mm:ss"), Markup.Escape(env.ReversePath.Length == 0 ? "<>" : env.ReversePath),
                Markup.Escape(string.Join("\n", env.Recipients.Select(r => r.Address + (r.IsDone ? $" ({r.State.ToString().ToLowerInvariant()})" : "")))),
                Markup.Escape(pending.Select(r => r.Diagnostic).FirstOrDefault(d => d is not null) ?? ""));
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"-- {rows.Sum(r => r.Env.Size / 1024 + 1)} Kbytes in {rows.Count} Requests.");
        return ExitCodes.Ok;
    }
}
