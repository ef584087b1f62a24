using System.Net;
using System.Net.Sockets;
using System.Text;
using Postbote.Core.Delivery;
using Postbote.Core.Envelope;

namespace Postbote.Delivery.Tests;

/// <summary>Builders for delivery requests and loopback facts used across the tests.</summary>
internal static class TestMessages
{
    public const string SimpleBody = "From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nHello.\r\n";

    public static DeliveryRequest Request(string body, params string[] recipients)
        => Request(Encoding.UTF8.GetBytes(body), recipients.Select(r => new DeliveryRecipient(r)).ToArray());

    public static DeliveryRequest Request(byte[] body, DeliveryRecipient[] recipients, BodyType bodyType = BodyType.SevenBit,
        DsnReturn ret = DsnReturn.Unspecified, string? envid = null)
        => new("Q1", "sender@example.org", recipients,
            _ => ValueTask.FromResult<Stream>(new MemoryStream(body, writable: false)), body.Length, bodyType, false, ret, envid);

    /// <summary>A loopback port with nothing listening (bound, then released), so connecting is refused.</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
