using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postbote.Smtpd.Greylisting;

/// <summary>
/// What greylisting remembers an attempt by: the client's network (IPv4 /24, IPv6 /64: a sender's pool of outbound
/// hosts usually retries from a neighbour, postgrey --lookup-by-subnet), the envelope sender with its per-message
/// parts taken out (so a VERP or BATV sender does not make every message new), and the recipient.
/// </summary>
public readonly record struct GreylistTriplet(string Network, string Sender, string Recipient)
{
    /// <summary>The key stored in the database: the three parts, each free of the separator.</summary>
    public string Key => string.Concat(Network, "\n", Sender, "\n", Recipient);

    /// <summary>The triplet of an attempt; <paramref name="sender"/> is empty for the null reverse-path.</summary>
    public static GreylistTriplet From(IPAddress client, string sender, string recipient)
        => new(NetworkOf(client), NormalizeSender(sender), recipient.ToLowerInvariant());

    /// <summary>"192.0.2.0/24" for an IPv4 address, "2001:db8:1:2::/64" for an IPv6 one (IPv4-mapped counts as IPv4).</summary>
    public static string NetworkOf(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out int written);
        if (client.AddressFamily == AddressFamily.InterNetwork)
            return $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24";
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>
    /// Lower case; a BATV tag (prvs=TAG=user, RFC draft-levine-smtp-batv) and a "+extension" removed; runs of
    /// digits standing alone in the local part (VERP counters, bounce ids) replaced by '#', as postgrey does.
    /// </summary>
    public static string NormalizeSender(string sender)
    {
        if (sender.Length == 0) return "";
        sender = sender.ToLowerInvariant();
        int at = sender.LastIndexOf('@');
        if (at <= 0) return sender;
        var local = sender[..at];
        var domain = sender[at..];
        if (local.StartsWith("prvs=", StringComparison.Ordinal) || local.StartsWith("btv1=", StringComparison.Ordinal))
        {
            int second = local.IndexOf('=', 5);
            if (second > 0 && second < local.Length - 1) local = local[(second + 1)..];
        }
        int plus = local.IndexOf('+');
        if (plus > 0) local = local[..plus];
        return ReplaceNumbers(local) + domain;
    }

    private static string ReplaceNumbers(string local)
    {
        var sb = new StringBuilder(local.Length);
        int i = 0;
        while (i < local.Length)
        {
            if (!char.IsAsciiDigit(local[i])) { sb.Append(local[i++]); continue; }
            int start = i;
            while (i < local.Length && char.IsAsciiDigit(local[i])) i++;
            bool alone = (start == 0 || !char.IsAsciiLetterOrDigit(local[start - 1]) && local[start - 1] != '_')
                && (i == local.Length || !char.IsAsciiLetterOrDigit(local[i]) && local[i] != '_');
            if (alone) sb.Append('#');
            else sb.Append(local, start, i - start);
        }
        return sb.ToString();
    }
}
