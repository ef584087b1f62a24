using Postbote.Core.Delivery;
using Postbote.Core.Envelope;
using Postbote.Delivery.Maildir;
using Postbote.Smtpd;

namespace Postbote.Hosting;

/// <summary>Files the Sent copy into the user's Maildir++ Sent folder (flag S, "seen"), from the spooled bytes the session opened.</summary>
public sealed class MaildirSentFolder(MaildirDeliveryAgent maildir, string folder) : ISentFolder
{
    public async Task FileAsync(QueuedMessage envelope, Stream message, string user, CancellationToken ct)
    {
        var request = new DeliveryRequest(envelope.QueueId, envelope.ReversePath, new[] { new DeliveryRecipient(user) },
            _ => ValueTask.FromResult(message),
            envelope.Size + System.Text.Encoding.UTF8.GetByteCount(string.Concat(envelope.PrependHeaders)), envelope.Body, envelope.SmtpUtf8);
        var results = await maildir.DeliverToFolderAsync(request, folder, "S", ct).ConfigureAwait(false);
        if (!results[0].IsSuccess) throw new IOException(results[0].Diagnostic);
    }
}
