using Microsoft.Extensions.Logging;
using Postbote.Core.Delivery;

namespace Postbote.Delivery.Maildir;

/// <summary>
/// Delivers to local mailboxes in Maildir format: per recipient, the Maildir from <see cref="MaildirOptions.PathTemplate"/>,
/// a quota check, then "Return-Path:" and "Delivered-To:" followed by the exact message bytes, written safely by
/// <see cref="MaildirWriter"/>. Also files copies into a Maildir++ folder (e.g. a Sent copy into ".Sent/cur", seen).
/// </summary>
public sealed class MaildirDeliveryAgent : IDeliveryAgent
{
    private readonly MaildirOptions _options;
    private readonly Func<string, CancellationToken, ValueTask<long?>>? _quotaLookup;
    private readonly MaildirWriter _writer;
    private readonly ILogger? _logger;

    /// <summary>Creates the agent.</summary>
    /// <param name="options">Path template, quota default and policy.</param>
    /// <param name="quotaLookup">Per-user quota in bytes by recipient address (null result: the default; 0: unlimited).</param>
    /// <param name="timeProvider">Clock for file names.</param>
    /// <param name="logger">Optional logger.</param>
    public MaildirDeliveryAgent(MaildirOptions options, Func<string, CancellationToken, ValueTask<long?>>? quotaLookup = null,
        TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _quotaLookup = quotaLookup;
        _writer = new MaildirWriter(options.Hostname, timeProvider);
        _logger = logger;
    }

    /// <inheritdoc/>
    public string Name => "maildir";

    /// <summary>The Maildir of <paramref name="address"/> per the template, or null when the address cannot name a directory safely.</summary>
    public string? ResolvePath(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
            return null;
        var localpart = address[..at].ToLowerInvariant();
        var domain = address[(at + 1)..].ToLowerInvariant();
        if (!IsSafeSegment(localpart) || !IsSafeSegment(domain))
            return null;
        var path = _options.PathTemplate
            .Replace("{DataDirectory}", _options.DataDirectory, StringComparison.Ordinal)
            .Replace("{domain}", domain, StringComparison.Ordinal)
            .Replace("{localpart}", localpart, StringComparison.Ordinal)
            .Replace("{user}", $"{localpart}@{domain}", StringComparison.Ordinal);
        return Path.GetFullPath(path);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
        => DeliverAsync(request, request.Folder, null, copy: false, cancellationToken);

    /// <summary>
    /// Files the message into the Maildir++ <paramref name="folder"/> (e.g. ".Sent") of each recipient, in cur/ with
    /// <paramref name="flags"/> ("S" = seen). For a Sent copy, the request's recipient is the sender.
    /// </summary>
    public Task<IReadOnlyList<RecipientResult>> DeliverToFolderAsync(DeliveryRequest request, string folder, string flags, CancellationToken cancellationToken)
        => DeliverAsync(request, folder, flags, copy: true, cancellationToken);

    private async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, string? folder, string? flags, bool copy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var results = new List<RecipientResult>(request.Recipients.Count);
        foreach (var recipient in request.Recipients)
            results.Add(await DeliverOneAsync(request, recipient.Address, folder, flags, copy, cancellationToken).ConfigureAwait(false));
        return results;
    }

    private async Task<RecipientResult> DeliverOneAsync(DeliveryRequest request, string address, string? folder, string? flags, bool copy, CancellationToken cancellationToken)
    {
        var maildir = ResolvePath(address);
        if (maildir is null)
            return RecipientResult.Permanent(address, "5.1.3", "recipient address cannot name a mailbox", null, FailureScope.Recipient);

        // A delivery gets "Return-Path:" and "Delivered-To:" (what the MTA did); a copy filed into a folder (the Sent
        // copy) is the message as the user sent it, as an IMAP APPEND would store it: "Delivered-To: sender" would be false.
        // A delivery into a folder (a quarantine's Junk) is still a delivery.
        var prefix = copy ? Array.Empty<byte>() : MaildirWriter.DeliveryHeaders(request.ReversePath, address);
        try
        {
            var quota = (_quotaLookup is null ? null : await _quotaLookup(address, cancellationToken).ConfigureAwait(false)) ?? _options.QuotaBytes;
            if (quota > 0)
            {
                var usage = MaildirWriter.MeasureUsage(maildir);
                var incoming = prefix.Length + request.Size;
                if (usage + incoming > quota)
                {
                    var diagnostic = $"mailbox full: {usage} + {incoming} bytes exceeds quota of {quota} bytes";
                    _logger?.LogInformation("{QueueId}: to=<{Recipient}>: {Reason}", request.QueueId, address, diagnostic);
                    return _options.QuotaExceededIsPermanent
                        ? RecipientResult.Permanent(address, "5.2.2", diagnostic, null, FailureScope.Recipient)
                        : RecipientResult.Temporary(address, "4.2.2", diagnostic, null, FailureScope.Recipient);
                }
            }

            var message = await request.OpenMessage(cancellationToken).ConfigureAwait(false);
            string path;
            await using (message.ConfigureAwait(false))
            {
                path = await _writer.DeliverAsync(maildir, prefix, message, folder, flags, cancellationToken).ConfigureAwait(false);
            }
            _logger?.LogDebug("{QueueId}: to=<{Recipient}> delivered to {Path}", request.QueueId, address, path);
            return RecipientResult.Success(address, DeliveryAction.Delivered,
                folder is null || copy ? $"delivered to maildir {Path.GetFileName(path)}" : $"delivered to maildir folder {folder} {Path.GetFileName(path)}", null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger?.LogWarning(ex, "{QueueId}: to=<{Recipient}>: maildir delivery to {Maildir} failed", request.QueueId, address, maildir);
            return RecipientResult.Temporary(address, "4.3.0", "local mailbox unavailable", null, FailureScope.Recipient);
        }
    }

    private static bool IsSafeSegment(string segment)
        => segment.Length > 0 && segment[0] != '.' && segment.IndexOfAny(['/', '\\', '\0']) < 0;
}
