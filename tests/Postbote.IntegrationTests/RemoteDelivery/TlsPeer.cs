using System.Security.Cryptography.X509Certificates;
using Postbote.TestSupport;
using Postbote.TestSupport.Peers;

namespace Postbote.IntegrationTests.RemoteDelivery;

/// <summary>
/// A private Postfix that is the final destination of several domains and offers STARTTLS with a given certificate
/// (smtpd_tls_received_header = yes, so each delivered message's Received: says whether it came over TLS).
/// Each domain's mail lands in its own Maildir.
/// </summary>
internal sealed class TlsPeer : IAsyncDisposable
{
    private readonly string _directory;

    private TlsPeer(PostfixInstance postfix, string directory)
    {
        Postfix = postfix;
        _directory = directory;
    }

    public PostfixInstance Postfix { get; }
    public int Port => Postfix.Port;

    /// <summary>Starts Postfix for <paramref name="domains"/> with <paramref name="certificate"/> (and <paramref name="chain"/>).</summary>
    public static async Task<TlsPeer> StartAsync(X509Certificate2 certificate, IReadOnlyList<string> domains, params X509Certificate2[] chain)
    {
        var directory = Path.Combine(Path.GetTempPath(), "postbote-tlspeer-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        var (cert, key) = TestCertificateAuthority.WritePem(certificate, directory, "smtpd", chain);
        var map = Path.Combine(directory, "vmailbox");
        await File.WriteAllTextAsync(map, string.Concat(domains.Select(d => $"@{d} {d}/\n")));
        File.SetUnixFileMode(map, (UnixFileMode)Convert.ToInt32("644", 8));
        var postfix = PostfixInstance.FinalDestination(domains[0]);
        postfix.MainCf["virtual_mailbox_domains"] = string.Join(" ", domains);
        postfix.MainCf["virtual_mailbox_maps"] = "texthash:" + map;
        postfix.MainCf["smtpd_tls_security_level"] = "may";
        postfix.MainCf["smtpd_tls_cert_file"] = cert;
        postfix.MainCf["smtpd_tls_key_file"] = key;
        postfix.MainCf["smtpd_tls_received_header"] = "yes";
        postfix.MainCf["smtpd_tls_loglevel"] = "1";
        var peer = new TlsPeer(postfix, directory);
        try
        {
            await postfix.StartAsync();
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
        return peer;
    }

    /// <summary>The messages delivered so far for <paramref name="domain"/>.</summary>
    public IReadOnlyList<string> Received(string domain) => PeerMaildir.MessageFiles(Path.Combine(Postfix.MailDirectory, domain));

    /// <summary>Waits (bounded) until <paramref name="count"/> messages arrived for <paramref name="domain"/>.</summary>
    public Task<IReadOnlyList<string>> WaitAsync(string domain, int count = 1) =>
        PeerMaildir.WaitForMessagesAsync(Path.Combine(Postfix.MailDirectory, domain), count, RemoteDeliveryHarness.Deadline);

    /// <summary>True when Postfix's own Received: of <paramref name="file"/> records a TLS session ("using TLSv1.x with cipher").</summary>
    public static bool CameOverTls(string file)
    {
        var text = File.ReadAllText(file);
        var received = text.IndexOf("\nReceived: from ", StringComparison.Ordinal);
        var ours = text.IndexOf("(Postbote)", StringComparison.Ordinal);
        var postfixPart = received >= 0 && ours > received ? text[received..ours] : text;
        return postfixPart.Contains("using TLS", StringComparison.Ordinal) && postfixPart.Contains("with ESMTPS", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await Postfix.DisposeAsync();
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
