using System.Globalization;
using System.Text;

namespace Postbote.Queue;

/// <summary>
/// Builds our trace field (RFC 5321 §4.4) with the RFC 3848 protocol name, written first into the spool file:
/// <code>
/// Received: from client.example (unknown [192.0.2.1])
///         by mx.example.org (Postbote) with ESMTPS id 0N5X3K2Q1Z4A
///         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
///         for &lt;bob@example.org&gt;; Sat, 28 Nov 2026 11:04:15 +0000
/// </code>
/// </summary>
public static class ReceivedHeader
{
    public static string Build(string? heloName, string clientAddress, string hostname, string protocol, string queueId,
        string? tlsProtocol, string? tlsCipher, string? authenticatedUser, string? singleRecipient, DateTimeOffset when)
    {
        var sb = new StringBuilder(256);
        sb.Append("Received: from ").Append(Sanitize(heloName) ?? "unknown")
          .Append(" (unknown [").Append(clientAddress).Append("])\r\n");
        if (authenticatedUser is not null) sb.Append("\t(Authenticated sender: ").Append(Sanitize(authenticatedUser)).Append(")\r\n");
        sb.Append("\tby ").Append(hostname).Append(" (Postbote) with ").Append(protocol).Append(" id ").Append(queueId).Append("\r\n");
        if (tlsProtocol is not null) sb.Append("\t(using ").Append(tlsProtocol).Append(" with cipher ").Append(tlsCipher).Append(")\r\n");
        if (singleRecipient is not null) sb.Append("\tfor <").Append(Sanitize(singleRecipient)).Append(">; ");
        else sb.Append('\t');
        sb.Append(when.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture))
          .Append(when.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "")).Append("\r\n");
        return sb.ToString();
    }

    /// <summary>Keeps client-supplied text from breaking the header: no CR, LF, parentheses or control characters.</summary>
    private static string? Sanitize(string? text)
    {
        if (text is null) return null;
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
            sb.Append(c < 32 || c == 127 || c is '(' or ')' ? '?' : c);
        return sb.ToString();
    }
}
