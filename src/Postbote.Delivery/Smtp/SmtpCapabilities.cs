namespace Postbote.Delivery.Smtp;

/// <summary>The service extensions a server announced in its EHLO/LHLO reply (RFC 5321 §4.1.1.1).</summary>
public sealed class SmtpCapabilities
{
    /// <summary>No extensions: the peer answered HELO only.</summary>
    public static SmtpCapabilities None { get; } = new();

    /// <summary>True when EHLO (or LHLO) succeeded.</summary>
    public bool IsExtended { get; private init; }

    /// <summary>RFC 2920 PIPELINING.</summary>
    public bool Pipelining { get; private init; }

    /// <summary>RFC 1870 SIZE; null when not offered or offered without a limit ("SIZE" or "SIZE 0").</summary>
    public long? MaxSize { get; private init; }

    /// <summary>True when SIZE was offered at all (so MAIL may carry SIZE=).</summary>
    public bool Size { get; private init; }

    /// <summary>RFC 6152 8BITMIME.</summary>
    public bool EightBitMime { get; private init; }

    /// <summary>RFC 6531 SMTPUTF8.</summary>
    public bool SmtpUtf8 { get; private init; }

    /// <summary>RFC 3461 DSN.</summary>
    public bool Dsn { get; private init; }

    /// <summary>RFC 3207 STARTTLS.</summary>
    public bool StartTls { get; private init; }

    /// <summary>RFC 3030 CHUNKING.</summary>
    public bool Chunking { get; private init; }

    /// <summary>RFC 3030 BINARYMIME.</summary>
    public bool BinaryMime { get; private init; }

    /// <summary>RFC 2034 ENHANCEDSTATUSCODES.</summary>
    public bool EnhancedStatusCodes { get; private init; }

    /// <summary>RFC 4954 AUTH mechanisms, upper case (also from the old "AUTH=" form).</summary>
    public IReadOnlySet<string> AuthMechanisms { get; private init; } = new HashSet<string>();

    /// <summary>Every keyword line as announced, after the greeting line.</summary>
    public IReadOnlyList<string> Keywords { get; private init; } = Array.Empty<string>();

    /// <summary>Parses a positive EHLO/LHLO reply: the first line is the greeting, each further line a keyword with parameters.</summary>
    public static SmtpCapabilities Parse(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        bool pipelining = false, size = false, eightBit = false, utf8 = false, dsn = false, tls = false, chunking = false, binary = false, enhanced = false;
        long? maxSize = null;
        var auth = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keywords = reply.Lines.Skip(1).ToList();
        foreach (var line in keywords)
        {
            var parts = line.Split(new[] { ' ', '=' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
                continue;
            switch (parts[0].ToUpperInvariant())
            {
                case "PIPELINING": pipelining = true; break;
                case "8BITMIME": eightBit = true; break;
                case "SMTPUTF8": utf8 = true; break;
                case "DSN": dsn = true; break;
                case "STARTTLS": tls = true; break;
                case "CHUNKING": chunking = true; break;
                case "BINARYMIME": binary = true; break;
                case "ENHANCEDSTATUSCODES": enhanced = true; break;
                case "SIZE":
                    size = true;
                    if (parts.Length > 1 && long.TryParse(parts[1], out var limit) && limit > 0)
                        maxSize = limit;
                    break;
                case "AUTH":
                    foreach (var mechanism in parts.Skip(1))
                        auth.Add(mechanism.ToUpperInvariant());
                    break;
            }
        }
        return new SmtpCapabilities
        {
            IsExtended = true, Pipelining = pipelining, Size = size, MaxSize = maxSize, EightBitMime = eightBit, SmtpUtf8 = utf8,
            Dsn = dsn, StartTls = tls, Chunking = chunking, BinaryMime = binary, EnhancedStatusCodes = enhanced,
            AuthMechanisms = auth, Keywords = keywords,
        };
    }
}
