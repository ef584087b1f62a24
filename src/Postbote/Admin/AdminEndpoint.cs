using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Postbote.Configuration;
using Postbote.Core.Envelope;
using Postbote.Core.Smtp;
using Postbote.Queue;

namespace Postbote.Admin;

/// <summary>
/// The admin endpoint of a running server: a small HTTP/JSON API on two Unix domain sockets under the data directory
/// (see <see cref="AdminSockets"/>). Only these two Kestrel listeners run the HTTP pipeline; the mail listeners run
/// their own connection handler and never reach it. Every connection's peer is identified by SO_PEERCRED; the
/// queue API answers only on admin.sock and only to root or the server's own uid (the file mode 0600 says the
/// same; the check holds even if the mode is loosened). submit.sock takes local submissions from any user.
/// </summary>
public static partial class AdminEndpoint
{
    private sealed record Peer(PeerCredentials? Credentials, bool AdminSocket);

    /// <summary>Adds the two socket listeners (after the mail listeners) and maps the API. Call after Build, before Run.</summary>
    public static void MapAdminEndpoint(this WebApplication app, ResolvedConfiguration config)
    {
        string adminPath = AdminSockets.AdminPath(config), submitPath = AdminSockets.SubmitPath(config);
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Postbote.Admin");
        var peers = new ConcurrentDictionary<string, Peer>();
        foreach (var stale in new[] { adminPath, submitPath }) File.Delete(stale);

        var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        kestrel.ListenUnixSocket(adminPath, lo => Configure(lo, admin: true));
        kestrel.ListenUnixSocket(submitPath, lo => Configure(lo, admin: false));

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (OperatingSystem.IsWindows()) return;
            File.SetUnixFileMode(adminPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(submitPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead
                | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            log.LogInformation("admin socket {Admin} (mode 0600), local submission socket {Submit} (mode 0666)", adminPath, submitPath);
        });
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            foreach (var path in new[] { adminPath, submitPath }) try { File.Delete(path); } catch (IOException) { }
        });

        void Configure(ListenOptions lo, bool admin)
        {
            lo.Protocols = HttpProtocols.Http1;
            lo.Use(next => async ctx =>
            {
                var socket = ctx.Features.Get<IConnectionSocketFeature>()?.Socket;
                var credentials = socket is null ? null : PeerCredentials.Of(socket);
                if (admin && !PeerCredentials.MayAdminister(credentials))
                {
                    // Fail closed: a peer the kernel cannot vouch for (no SO_PEERCRED) is refused like a stranger.
                    if (credentials is null) LogAdminUnidentified(log);
                    else LogAdminRefused(log, credentials.Uid, credentials.Pid);
                    ctx.Abort();
                    return;
                }
                peers[ctx.ConnectionId] = new Peer(credentials, admin);
                try { await next(ctx).ConfigureAwait(false); }
                finally { peers.TryRemove(ctx.ConnectionId, out _); }
            });
        }

        IQueueControl Control(HttpContext http) => new SpoolQueueControl(http.RequestServices.GetRequiredService<Spool>(),
            http.RequestServices.GetRequiredService<QueueManager>());
        Peer? PeerOf(HttpContext http) => peers.TryGetValue(http.Connection.Id, out var p) ? p : null;

        var api = app.MapGroup("/v1/queue").AddEndpointFilter(async (ctx, next) =>
            PeerOf(ctx.HttpContext) is { AdminSocket: true } ? await next(ctx) : Results.Problem("the queue API is only on admin.sock", statusCode: 403));
        api.MapGet("", async (HttpContext http, CancellationToken ct) => Results.Json(await Control(http).ListAsync(ct)));
        api.MapGet("/destinations", async (HttpContext http, CancellationToken ct) => Results.Json(await Control(http).DestinationsAsync(ct)));
        api.MapGet("/{id}", async (string id, HttpContext http) => !QueueId.IsValid(id) ? BadId(id)
            : await Control(http).ShowAsync(id, http.RequestAborted) is { } entry ? Results.Json(entry) : Outcome(QueueOpOutcome.NotFound, id));
        api.MapPost("/flush", async (string? domain, HttpContext http) =>
        {
            var (outcome, count) = await Control(http).FlushAsync(domain, http.RequestAborted);
            return outcome == QueueOpOutcome.Done ? Results.Json(new { outcome = "done", count }) : Outcome(outcome, "");
        });
        api.MapPost("/{id}/{op}", async (string id, string op, HttpContext http) =>
        {
            if (!QueueId.IsValid(id)) return BadId(id);
            var control = Control(http);
            var outcome = op switch
            {
                "flush" => await control.FlushMessageAsync(id, http.RequestAborted),
                "hold" => await control.HoldAsync(id, http.RequestAborted),
                "release" => await control.ReleaseAsync(id, http.RequestAborted),
                "bounce" => await control.BounceAsync(id, http.RequestAborted),
                _ => (QueueOpOutcome?)null,
            };
            if (outcome is null) return Results.NotFound();
            log.LogInformation("admin: {Op} {QueueId}: {Outcome} (uid {Uid})", op, id, outcome, PeerOf(http)?.Credentials?.Uid);
            return Outcome(outcome.Value, id);
        });
        api.MapDelete("/{id}", async (string id, HttpContext http) =>
        {
            if (!QueueId.IsValid(id)) return BadId(id);
            var outcome = await Control(http).DeleteAsync(id, http.RequestAborted);
            log.LogInformation("admin: delete {QueueId}: {Outcome} (uid {Uid})", id, outcome, PeerOf(http)?.Credentials?.Uid);
            return Outcome(outcome, id);
        });

        // Each submission holds a spool file open while its body streams in: cap how many run at once.
        var submissions = new SemaphoreSlim(config.Server.Limits.LocalSubmissionsConcurrent);
        app.MapPost("/v1/submit", async (HttpContext http, CancellationToken ct) =>
        {
            // (the CancellationToken parameter keeps this lambda from binding as a RequestDelegate that drops its result)
            if (PeerOf(http)?.Credentials is not { } caller)
                return Results.Problem("the caller's uid cannot be told (no SO_PEERCRED): local submission refused", statusCode: 403);
            var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = config.Server.Limits.MessageSizeBytes + 64 * 1024;
            var from = http.Request.Query["from"].ToString();
            var to = http.Request.Query["to"].Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!).ToList();
            if (to.Count == 0) return Results.Problem("no recipients", statusCode: 400);
            if (!await submissions.WaitAsync(config.Server.Limits.DataTimeout, http.RequestAborted))
            {
                LogSubmissionBusy(log, caller.Uid, config.Server.Limits.LocalSubmissionsConcurrent);
                return Results.Problem("too many local submissions at once, try again later", statusCode: 503);
            }
            try
            {
                var id = await LocalSubmission.SubmitAsync(http.RequestServices.GetRequiredService<Spool>(), config,
                    http.RequestServices.GetRequiredService<Postbote.Directory.IMailDirectory>(), from, to, http.Request.Body, caller.Uid,
                    http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), http.RequestAborted,
                    http.RequestServices.GetService<Postbote.MailAuth.Dkim.DkimSigner>());
                LogSubmitted(log, id, from, to.Count, caller.Uid);
                return Results.Json(new { queueId = id });
            }
            catch (LocalSubmissionRefusedException e)
            {
                LogSubmissionRefused(log, caller.Uid, e.Message);
                return Results.Problem(e.Message, statusCode: e.HttpStatus);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
            {
                return Results.Problem(e.StatusCode == 413 ? SmtpReplies.MessageTooBig.ToString() : "bad request", statusCode: e.StatusCode);
            }
            finally { submissions.Release(); }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "admin: refused connection from uid {Uid} (pid {Pid})")]
    private static partial void LogAdminRefused(ILogger logger, uint uid, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "admin: refused a connection whose peer cannot be identified (no SO_PEERCRED)")]
    private static partial void LogAdminUnidentified(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{QueueId}: from=<{From}>, nrcpt={Count}, protocol=LOCAL, uid={Uid}")]
    private static partial void LogSubmitted(ILogger logger, string queueId, string from, int count, uint uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reject: local submission from uid {Uid}: {Reason}")]
    private static partial void LogSubmissionRefused(ILogger logger, uint uid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "local submission from uid {Uid} waited too long: {Limit} already in progress (Limits:LocalSubmissionsConcurrent)")]
    private static partial void LogSubmissionBusy(ILogger logger, uint uid, int limit);

    private static IResult BadId(string id) => Results.Problem($"'{id}' is not a queue id", statusCode: 400);

    private static IResult Outcome(QueueOpOutcome outcome, string id) => outcome switch
    {
        QueueOpOutcome.Done => Results.Json(new { outcome = "done" }),
        QueueOpOutcome.NotFound => Results.Problem($"no message {id} in the queue", statusCode: 404),
        QueueOpOutcome.WrongState => Results.Problem($"message {id} is not in a state this applies to", statusCode: 409),
        _ => Results.Problem("the queue manager is not running", statusCode: 503),
    };
}
