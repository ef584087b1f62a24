using System.Text.Json;
using Postbote.IntegrationTests.Infrastructure;

namespace Postbote.IntegrationTests.MailAuth;

/// <summary>
/// python3-dkim (dkimpy, Debian's package; it loads only in /usr/bin/python3) as an independent verifier: each
/// DKIM-Signature of a message is checked with dkim.DKIM.verify, its key looked up in the records we give instead
/// of DNS (the TXT record `postbote dkim keygen` prints). One word per signature: pass or fail.
/// </summary>
internal static class DkimPy
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, json, dkim
        records = json.load(open(sys.argv[2]))
        message = open(sys.argv[1], 'rb').read()
        def dns(name, timeout=5):
            name = name.decode() if isinstance(name, bytes) else name
            txt = records.get(name.rstrip('.').lower())
            return txt.encode() if txt is not None else None
        d = dkim.DKIM(message)
        count = len([h for h in d.headers if h[0].lower() == b'dkim-signature'])
        words = []
        for i in range(count):
            try:
                words.append('pass' if d.verify(idx=i, dnsfunc=dns) else 'fail')
            except dkim.DKIMException as e:
                words.append('fail')
        print(' '.join(words) if words else 'none')
        """;

    private const string SignScript = """
        import sys, dkim
        message = open(sys.argv[1], 'rb').read()
        key = open(sys.argv[2], 'rb').read()
        sig = dkim.sign(message, sys.argv[3].encode(), sys.argv[4].encode(), key, canonicalize=(b'relaxed', b'relaxed'),
                        include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
        sys.stdout.buffer.write(sig)
        """;

    /// <summary>The message with a relaxed/relaxed rsa-sha256 DKIM-Signature of dkimpy (d=<paramref name="domain"/>, s=<paramref name="selector"/>) on top.</summary>
    public static async Task<string> SignAsync(string message, string domain, string selector, string privateKeyPem)
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-dkimpy-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            var messageFile = Path.Combine(dir, "message.eml");
            var keyFile = Path.Combine(dir, "key.pem");
            var script = Path.Combine(dir, "sign.py");
            await File.WriteAllTextAsync(messageFile, message);
            await File.WriteAllTextAsync(keyFile, privateKeyPem);
            await File.WriteAllTextAsync(script, SignScript);
            var r = await ExternalTool.RunAsync(Python, [script, messageFile, keyFile, selector, domain], timeout: TimeSpan.FromSeconds(30));
            Assert.True(r.ExitCode == 0, r.Output);
            return r.Stdout.Replace("\r\n", "\n").Replace("\n", "\r\n") + message;
        }
        finally { System.IO.Directory.Delete(dir, recursive: true); }
    }

    public static bool Available => File.Exists(Python) && File.Exists("/usr/lib/python3/dist-packages/dkim/__init__.py");

    /// <summary>"pass", "fail", "pass pass"... for the message's signatures, top down; "none" without one.</summary>
    public static async Task<string> VerifyAsync(byte[] message, IReadOnlyDictionary<string, string> records)
    {
        var dir = Path.Combine(Path.GetTempPath(), "postbote-dkimpy-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            var messageFile = Path.Combine(dir, "message.eml");
            var recordFile = Path.Combine(dir, "records.json");
            var script = Path.Combine(dir, "verify.py");
            await File.WriteAllBytesAsync(messageFile, message);
            await File.WriteAllTextAsync(recordFile, JsonSerializer.Serialize(records.ToDictionary(r => r.Key.TrimEnd('.').ToLowerInvariant(), r => r.Value)));
            await File.WriteAllTextAsync(script, Script);
            var r = await ExternalTool.RunAsync(Python, [script, messageFile, recordFile], timeout: TimeSpan.FromSeconds(30));
            Assert.True(r.ExitCode == 0, r.Output);
            return r.Stdout.Trim();
        }
        finally { System.IO.Directory.Delete(dir, recursive: true); }
    }
}
