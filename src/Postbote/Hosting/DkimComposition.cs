using Microsoft.Extensions.Logging;
using Postbote.Configuration;
using Postbote.MailAuth.Dkim;

namespace Postbote.Hosting;

/// <summary>The DKIM signer of a configuration: keys under DataDirectory/dkim (postbote dkim keygen), Dkim:* settings.</summary>
public static class DkimComposition
{
    public static string KeyDirectory(ResolvedConfiguration config) => Path.Combine(config.DataDirectory, "dkim");

    public static DkimSigner Create(ResolvedConfiguration config, TimeProvider time, ILogger? log = null) =>
        new(new DkimKeyStore(KeyDirectory(config)), config.Options.Dkim, time, log);
}
