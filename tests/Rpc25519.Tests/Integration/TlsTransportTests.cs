using System.Net;
using System.Net.Sockets;
using Rpc25519.Tests.Security;

namespace Rpc25519.Tests.Integration;

/// <summary><see cref="EncryptedTransportTests"/> over TLS 1.3 on TCP.</summary>
[Collection("Security")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsTransportTests(CertFixture certs) : EncryptedTransportTests(certs), IClassFixture<CertFixture>
{
    protected override string Scheme => "tcp://";

    protected override RpcOptions Config(string certsDir) => TlsTestHost.Config(certsDir);

    protected override async Task SendBadInputAsync(IPEndPoint server)
    {
        // Garbage instead of a ClientHello, a record header cut short, and a connection that closes mid-handshake.
        byte[][] inputs = ["GET / HTTP/1.0\r\n\r\n"u8.ToArray(), [0x16, 0x03, 0x01, 0x00], [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]];
        foreach (byte[] input in inputs)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server);
            await socket.SendAsync(input);
            socket.Shutdown(SocketShutdown.Send);
        }
    }
}
