using System.Buffers;
using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;
using Rpc25519.Transport;
using Rpc25519.Transport.Quic;
using Rpc25519.Transport.Quic.Native;
using static Rpc25519.Quic.Tests.QuicTestHost;

namespace Rpc25519.Quic.Tests;

/// <summary>The TLS transport's refusals, over QUIC: the refused side gets an <see cref="AuthenticationRejectedException"/>
/// with the same reason, promptly, and the server keeps serving others.</summary>
[Collection("Quic")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class QuicSecurityTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Handshake_NegotiatesTls13_ChaCha20Poly1305_AndRecordsRunOnDotNetsCipher()
    {
        var transport = (QuicTransport)Config(certs.CertsDir, new QuicOptions { NoSharePort = true }).CustomTransport!;
        await using IConnectionListener listener = await transport.ListenAsync("127.0.0.1:0");
        Task<IConnection> dial = transport.DialAsync(listener.LocalAddress).AsTask();
        await using IConnection server = (await listener.AcceptAsync().AsTask().WaitAsync(Prompt))!;
        await using IConnection client = await dial.WaitAsync(Prompt);
        var quic = (QuicConnection)client;
        Assert.Equal(GnuTls.CipherChaCha20Poly1305, quic.Negotiated.Cipher);
        Assert.Equal(GnuTls.ProtocolTls13, quic.Negotiated.Protocol);
        byte[] data = new byte[100_000];
        new Random(5).NextBytes(data);
        await client.Transport.Output.WriteAsync(data);
        System.IO.Pipelines.ReadResult read = await server.Transport.Input.ReadAtLeastAsync(data.Length)
            .AsTask().WaitAsync(Prompt);
        Assert.Equal(data, read.Buffer.Slice(0, data.Length).ToArray());
        server.Transport.Input.AdvanceTo(read.Buffer.GetPosition(data.Length));
        // Both 1-RTT keys of each side run on .NET's ChaCha20-Poly1305 (the first packets went through GnuTLS).
        Assert.True(quic.FastCipherCount >= 2, $"client: {quic.FastCipherCount} contexts on .NET's cipher");
        Assert.True(((QuicConnection)server).FastCipherCount >= 2,
            $"server: {((QuicConnection)server).FastCipherCount} contexts on .NET's cipher");
    }

    [Fact]
    public async Task AfterAKeyUpdate_DataStillFlows_AndTheNewKeysRunOnDotNetsCipher()
    {
        var transport = (QuicTransport)Config(certs.CertsDir, new QuicOptions { NoSharePort = true }).CustomTransport!;
        await using IConnectionListener listener = await transport.ListenAsync("127.0.0.1:0");
        Task<IConnection> dial = transport.DialAsync(listener.LocalAddress).AsTask();
        await using IConnection server = (await listener.AcceptAsync().AsTask().WaitAsync(Prompt))!;
        await using IConnection client = await dial.WaitAsync(Prompt);
        var (quicClient, quicServer) = ((QuicConnection)client, (QuicConnection)server);
        await SendAndReceiveAsync(client, server, 1);
        await SendAndReceiveAsync(server, client, 2);
        int clientBefore = quicClient.AdoptedCipherTotal;
        int serverBefore = quicServer.AdoptedCipherTotal;
        quicClient.InitiateKeyUpdate();
        for (int i = 0; i < 3; i++)
        {
            await SendAndReceiveAsync(client, server, 10 + i);
            await SendAndReceiveAsync(server, client, 20 + i);
        }
        // Each side's new send and receive keys went over to .NET's cipher too.
        Assert.True(quicClient.AdoptedCipherTotal >= clientBefore + 2,
            $"client: {clientBefore} -> {quicClient.AdoptedCipherTotal} contexts on .NET's cipher");
        Assert.True(quicServer.AdoptedCipherTotal >= serverBefore + 2,
            $"server: {serverBefore} -> {quicServer.AdoptedCipherTotal} contexts on .NET's cipher");
    }

    private static async Task SendAndReceiveAsync(IConnection from, IConnection to, int seed)
    {
        byte[] data = new byte[60_000];
        new Random(seed).NextBytes(data);
        await from.Transport.Output.WriteAsync(data);
        System.IO.Pipelines.ReadResult read = await to.Transport.Input.ReadAtLeastAsync(data.Length)
            .AsTask().WaitAsync(Prompt);
        Assert.Equal(data, read.Buffer.Slice(0, data.Length).ToArray());
        to.Transport.Input.AdvanceTo(read.Buffer.GetPosition(data.Length));
    }

    [Fact]
    public async Task PreSharedKeyLayer_RunsOverQuic_AndADifferentKeyIsRefused()
    {
        string psk = Path.Combine(certs.NewDir("psk"), "psk.binary");
        Rpc25519.Security.SelfCertificates.GenerateSymmetricKey(psk);
        string otherPsk = Path.Combine(certs.NewDir("psk"), "psk.binary");
        Rpc25519.Security.SelfCertificates.GenerateSymmetricKey(otherPsk);
        RpcOptions WithPsk(string path)
        {
            NativePrerequisite.Ensure();
            RpcOptions options = TlsTestHost.Config(certs.CertsDir);
            options.PreSharedKey.Path = path;
            return options.UseQuic();
        }
        await using RpcServer server = await TlsTestHost.StartEchoAsync(WithPsk(psk));
        Assert.IsType<PskTransport>(WithPsk(psk).CustomTransport);
        await using (RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, WithPsk(psk))))
        {
            byte[] big = new byte[200_000];
            Random.Shared.NextBytes(big);
            Assert.Equal(big, await TlsTestHost.EchoAsync(client, big));
        }
        await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, WithPsk(otherPsk))).WaitAsync(Prompt));
    }
}
