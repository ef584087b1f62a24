using Postbote.MailAuth.Dkim;

namespace Postbote.Commands;

/// <summary>
/// `postbote dkim keygen DOMAIN`: creates a signing key (RSA 2048 by default) and prints the TXT record to publish,
/// as one zone file line. Mail from the domain is signed from then on (the server rereads keys every Dkim:KeyReloadInterval).
/// </summary>
public sealed class DkimKeygenCommand : DkimCommandBase<DkimKeygenSettings>
{
    protected override int Run(DkimKeyStore store, DkimKeygenSettings s)
    {
        var domain = DkimKeyStore.NormalizeDomain(s.Domain);
        bool first = store.Load(domain).Count == 0;
        int rc = CreateAndPrint(store, s, "created");
        if (rc == ExitCodes.Ok && first) Console.Error.WriteLine($"postbote: mail from {domain} and its subdomains is signed from now on.");
        return rc;
    }
}
