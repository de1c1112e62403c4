using System.Net;
using System.Net.Sockets;
using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;

namespace Rpc25519.Quic.Tests;

/// <summary>The TLS transport's behaviour tests (<see cref="EncryptedTransportTests"/>), run over QUIC.</summary>
[Collection("Quic")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class QuicTransportTests(CertFixture certs) : EncryptedTransportTests(certs), IClassFixture<CertFixture>
{
    protected override string Scheme => "udp://";

    protected override RpcOptions Config(string certsDir) => QuicTestHost.Config(certsDir);

    protected override Task SendBadInputAsync(IPEndPoint server)
    {
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(16);
        for (int i = 0; i < 2000; i++)
        {
            byte[] datagram = new byte[random.Next(0, 1500)];
            random.NextBytes(datagram);
            if (i % 3 == 0 && datagram.Length > 0)
            {
                datagram[0] = 0xc0; // a long header: version, connection IDs and lengths then come from the noise
            }
            if (i % 3 == 1 && datagram.Length > 8)
            {
                // An Initial of QUIC v1 cut short at a random point.
                datagram[0] = 0xc3;
                datagram[1] = datagram[2] = datagram[3] = 0;
                datagram[4] = 1;
                datagram[5] = 8;
            }
            attacker.SendTo(datagram, server);
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition("Quic")]
public sealed class QuicCollection
{
}
