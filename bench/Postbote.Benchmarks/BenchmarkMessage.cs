using System.Text;

namespace Postbote.Benchmarks;

/// <summary>The message the accept-path benchmarks use: a submission's header section and plain-text lines, 4 KiB in all, ending in CRLF.</summary>
internal static class BenchmarkMessage
{
    public static byte[] FourKiB()
    {
        var sb = new StringBuilder()
            .Append("Received: from client.example (client.example [192.0.2.1])\r\n\tby mx.example.org (Postbote) with ESMTPSA id 4F3K2Q1Z;\r\n\tSat, 28 Nov 2026 11:00:00 +0000\r\n")
            .Append("From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: a benchmark message\r\n")
            .Append("Date: Sat, 28 Nov 2026 11:00:00 +0000\r\nMessage-ID: <1234.5678@example.org>\r\nMIME-Version: 1.0\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        while (sb.Length < 4096) sb.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString(0, 4094) + "\r\n");
    }
}
