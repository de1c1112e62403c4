using System.Net;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Streams;
using Rpc25519.Tests.Security;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// Behaviour every encrypted transport must show, written once: round trip, push, cancel, streams, peers, wrong CA,
/// known-keys trust on first use and lock-down, bad input. <see cref="TlsTransportTests"/> runs it over TLS/TCP; the
/// QUIC test project compiles this file too and runs it over QUIC. A subclass says how to make options, how a client
/// reaches a server and what bad input looks like on its wire.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class EncryptedTransportTests(CertFixture certs)
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected CertFixture Certs => certs;

    /// <summary>The scheme of the addresses this transport reports ("tcp://" or "udp://").</summary>
    protected abstract string Scheme { get; }

    /// <summary>Options for one server or client using the certificates in <paramref name="certsDir"/>; every call
    /// gives a transport of its own (for QUIC: its own UDP port).</summary>
    protected abstract RpcOptions Config(string certsDir);

    /// <summary>Sends what a confused or hostile sender might to <paramref name="server"/>: garbage, truncated
    /// handshakes.</summary>
    protected abstract Task SendBadInputAsync(IPEndPoint server);

    /// <summary>Client options for <paramref name="server"/>, cloned from <paramref name="config"/>.</summary>
    protected static RpcOptions ClientOf(RpcServer server, RpcOptions config)
    {
        RpcOptions copy = config.Clone();
        copy.ServerAddress = server.LocalAddress;
        return copy;
    }

    protected static IPEndPoint EndPointOf(RpcServer server) =>
        IPEndPoint.Parse(server.LocalAddress[(server.LocalAddress.IndexOf("://", StringComparison.Ordinal) + 3)..]);

    [Fact]
    public async Task SmallAndLargeCalls_RoundTrip()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        Assert.StartsWith(Scheme + "127.0.0.1:", server.LocalAddress, StringComparison.Ordinal);
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        byte[] big = new byte[3_000_000];
        new Random(11).NextBytes(big);
        Assert.Equal("hello"u8.ToArray(), await TlsTestHost.EchoAsync(client, "hello"u8.ToArray()));
        Assert.Equal(big, await TlsTestHost.EchoAsync(client, big));
        Assert.StartsWith(Scheme + "127.0.0.1:", client.RemoteAddress, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerPush_ReachesTheRightClientAmongSeveral()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        var clients = new List<RpcClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                clients.Add(await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir))));
                Assert.Equal([(byte)i], await TlsTestHost.EchoAsync(clients[i], [(byte)i]));
            }
            Assert.Equal(clients.Select(c => c.LocalAddress).Order(), server.Connections.Order());
            await server.PushAsync(clients[1].LocalAddress, Request("news", "for you"));
            Message got = await clients[1].Incoming.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal("for you"u8.ToArray(), got.Payload);
            Assert.Equal(CallType.OneWay, got.Header.CallType);
            // Pushes on a connection keep their order: had the news gone to another client, it would come first there.
            foreach (RpcClient other in new[] { clients[0], clients[2] })
            {
                await server.PushAsync(other.LocalAddress, Request("marker", "marker"));
                Message first = await other.Incoming.ReadAsync().AsTask().WaitAsync(Patience);
                Assert.Equal("marker"u8.ToArray(), first.Payload);
            }
        }
        finally
        {
            foreach (RpcClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CancellingACall_CancelsTheHandler()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new RpcServer(Config(certs.CertsDir));
        await using var _ = server;
        server.RegisterCall("wait", async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                cancelled.TrySetResult();
            }
            return new Message();
        });
        await server.StartAsync();
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        using var cts = new CancellationTokenSource();
        Task<Message> call = client.CallAsync(Request("wait"), cts.Token);
        await started.Task.WaitAsync(Patience);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        await cancelled.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task UploadAndDownloadStreams_DeliverEveryPartInOrder()
    {
        var server = new RpcServer(Config(certs.CertsDir));
        await using var _ = server;
        server.RegisterUpload("upload", async (parts, ct) =>
        {
            long bytes = 0;
            await foreach (Message part in parts.WithCancellation(ct))
            {
                bytes += part.Payload.Length;
            }
            var reply = new Message();
            reply.Header.Subject = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return reply;
        });
        server.RegisterDownload("download", async (_, sender, ct) =>
        {
            for (int i = 0; i < 40; i++)
            {
                await sender.SendAsync(new Message { Payload = new byte[50_000] }, last: i == 39, ct);
            }
            return new Message();
        });
        await server.StartAsync();
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        Uploader upload = await client.BeginUploadAsync("upload", new Message { Payload = new byte[100_000] });
        for (int i = 0; i < 20; i++)
        {
            await upload.SendAsync(new Message { Payload = new byte[100_000] });
        }
        Message done = await upload.CompleteAsync(new Message { Payload = new byte[100_000] }).WaitAsync(Patience);
        Assert.Equal("2200000", done.Header.Subject);
        await using Downloader download = await client.BeginDownloadAsync("download", new Message());
        int count = 0;
        await foreach (Message part in download.ReadAllAsync())
        {
            Assert.Equal(count, part.Header.StreamPart);
            Assert.Equal(50_000, part.Payload.Length);
            count++;
        }
        await download.Reply.WaitAsync(Patience);
        Assert.Equal(40, count);
    }

    [Fact]
    public async Task Peers_ServerStartsAPeerOnTheClient_AndTheyTalkOverACircuit()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        client.PeerApi.RegisterPeerService("echo", async (_, circuits, ct) =>
        {
            await foreach (Circuit circuit in circuits.ReadAllAsync(ct))
            {
                await foreach (Fragment fragment in circuit.Reads.ReadAllAsync(circuit.Closed))
                {
                    await circuit.SendAsync(new Fragment { Payload = fragment.Payload, Subject = "re:" + fragment.Subject });
                }
            }
        });
        server.PeerApi.RegisterPeerService("sink", async (peer, circuits, ct) =>
        {
            await foreach (Circuit unused in circuits.ReadAllAsync(ct))
            {
            }
        });
        Assert.Equal([1], await TlsTestHost.EchoAsync(client, [1])); // the server knows the client now
        LocalPeer local = await server.PeerApi.StartLocalPeerAsync("sink");
        RemotePeer remote = await server.PeerApi.StartRemotePeerAsync("echo", client.LocalAddress);
        Assert.StartsWith(client.LocalAddress + "/echo/", remote.PeerUrl, StringComparison.Ordinal);
        Circuit talk = await local.OpenCircuitAsync("talk", remote.PeerUrl,
            new Fragment { Payload = "hello"u8.ToArray(), Subject = "one" });
        Fragment back = await talk.Reads.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("hello"u8.ToArray(), back.Payload);
        Assert.Equal("re:one", back.Subject);
        await talk.SendAsync(new Fragment { Payload = new byte[200_000], Subject = "two" });
        back = await talk.Reads.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal(200_000, back.Payload.Length);
    }

    [Fact]
    public async Task ClientFromAnotherCa_IsRejected_WithTheServersReason_AndTheServerServesOthers()
    {
        // The client trusts our CA (so it accepts the server) but presents a certificate of an unrelated CA.
        string mixed = certs.NewDir("mixed-client");
        CopyPair(certs.OtherCertsDir, "client", mixed);
        File.Copy(Path.Combine(certs.CertsDir, "ca.crt"), Path.Combine(mixed, "ca.crt"));
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Config(mixed))).WaitAsync(Patience));
        Assert.Contains("unknown_ca", error.Message, StringComparison.Ordinal);
        await using RpcClient good = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        Assert.Equal([42], await TlsTestHost.EchoAsync(good, [42]));
    }

    [Fact]
    public async Task ServerFromAnotherCa_IsRejectedByTheClient()
    {
        string mixed = certs.NewDir("mixed-server");
        CopyPair(certs.OtherCertsDir, "node", mixed);
        File.Copy(Path.Combine(certs.CertsDir, "ca.crt"), Path.Combine(mixed, "ca.crt"));
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(mixed));
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir))).WaitAsync(Patience));
        Assert.Contains("not signed by our CA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritableKnownKeys_RecordANewClientOnceAndOnlyOnce()
    {
        string list = Path.Combine(certs.NewDir("tofu"), "known_client_keys");
        File.WriteAllText(list, "");
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.KnownClientKeysPath = list;
        await using RpcServer server = await TlsTestHost.StartEchoAsync(config);
        for (int i = 0; i < 3; i++)
        {
            await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
            Assert.Equal([9], await TlsTestHost.EchoAsync(client, [9]));
        }
        string[] lines = File.ReadAllLines(list);
        Assert.Single(lines);
        Assert.Matches(@"^127\.0\.0\.1 pubkey@edwardsRPC-ed25519-b58c-[1-9A-HJ-NP-Za-km-z]+:client@example\.org " +
            @"first_seen=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", lines[0]);
    }

    [Fact]
    public async Task ReadOnlyKnownKeys_AdmitTheListedClient_AndRejectAStrangerOfTheSameCa()
    {
        // Record the client once through trust on first use, then lock the list down.
        string list = Path.Combine(certs.NewDir("lock"), "known_client_keys");
        File.WriteAllText(list, "# locked list\n");
        RpcOptions learnConfig = Config(certs.CertsDir);
        learnConfig.Tls.KnownClientKeysPath = list;
        await using (RpcServer learn = await TlsTestHost.StartEchoAsync(learnConfig))
        {
            await using RpcClient first = await RpcClient.ConnectAsync(ClientOf(learn, Config(certs.CertsDir)));
        }
        File.SetUnixFileMode(list, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.KnownClientKeysPath = list;
        await using RpcServer server = await TlsTestHost.StartEchoAsync(config);
        await using (RpcClient listed = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir))))
        {
            Assert.Equal([5], await TlsTestHost.EchoAsync(listed, [5]));
        }
        string strangerDir = certs.NewDir("stranger");
        Rpc25519.Security.SelfCertificates.CreateKeyPair("client", "stranger@example.org", strangerDir,
            certs.PrivateDir, null, _ => "");
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Config(strangerDir))).WaitAsync(Patience));
        Assert.Contains("access_denied", error.Message, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(list), l => l.StartsWith("127.0.0.1 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadOnlyKnownServerKeys_MakeTheClientRejectAnUnlistedServer()
    {
        string list = Path.Combine(certs.NewDir("servers"), "known_server_keys");
        File.WriteAllText(list, "10.0.0.1 pubkey@edwardsRPC-ed25519-b58c-abc:someone@example.org\n");
        File.SetUnixFileMode(list, UnixFileMode.UserRead);
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        RpcOptions client = Config(certs.CertsDir);
        client.Tls.KnownServerKeysPath = list;
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, client)).WaitAsync(Patience));
        Assert.Contains("known-keys", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyReadOnlyKnownKeys_StopTheServerFromStarting()
    {
        string list = Path.Combine(certs.NewDir("empty"), "known_client_keys");
        File.WriteAllText(list, "");
        File.SetUnixFileMode(list, UnixFileMode.UserRead);
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.KnownClientKeysPath = list;
        var error = await Assert.ThrowsAsync<RpcException>(() => TlsTestHost.StartEchoAsync(config));
        Assert.Contains("read-only and empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_DisturbsNeitherAnEstablishedClientNorANewOne()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        Assert.Equal([1], await TlsTestHost.EchoAsync(client, [1]));
        await SendBadInputAsync(EndPointOf(server));
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal([(byte)i], await TlsTestHost.EchoAsync(client, [(byte)i]));
        }
        await using RpcClient another = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        Assert.Equal([2], await TlsTestHost.EchoAsync(another, [2]));
    }

    protected static Message Request(string service, string text = "")
    {
        var message = new Message { Payload = System.Text.Encoding.UTF8.GetBytes(text) };
        message.Header.ServiceName = service;
        return message;
    }

    protected static void CopyPair(string fromDir, string name, string toDir)
    {
        File.Copy(Path.Combine(fromDir, name + ".crt"), Path.Combine(toDir, name + ".crt"));
        File.Copy(Path.Combine(fromDir, name + ".key"), Path.Combine(toDir, name + ".key"));
    }
}
