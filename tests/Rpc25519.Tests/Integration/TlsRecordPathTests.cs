using System.Net;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

[Collection("Security")]
public sealed class TlsRecordPathTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BothRecordPaths_CarryDataBothWays_AndCloseCleanly(bool nativeAead)
    {
        RpcOptions config = Config(certs.CertsDir);
        var transport = new Rpc25519.Transport.TlsTransport(config.Tls, inner: null, environment: null, nativeAead);
        await using var listener = await transport.ListenAsync("127.0.0.1:0");
        var accept = listener.AcceptAsync().AsTask();
        await using var client = await transport.DialAsync(listener.LocalAddress[6..]);
        await using var server = (await accept)!;
        byte[] data = new byte[100_000];
        Random.Shared.NextBytes(data);
        await client.Transport.Output.WriteAsync(data);
        Assert.Equal(data, await ReadAsync(server.Transport.Input, data.Length));
        await server.Transport.Output.WriteAsync("bye"u8.ToArray());
        Assert.Equal("bye"u8.ToArray(), await ReadAsync(client.Transport.Input, 3));
        await client.Transport.Output.CompleteAsync(); // close_notify: the server sees the end of its input
        Assert.Empty(await ReadAsync(server.Transport.Input, int.MaxValue));
    }

    [Fact]
    public async Task DataTheServerSendsRightAfterAccepting_ReachesTheClientWithoutMoreTraffic()
    {
        // A proxy that gathers what the server sends for 300 ms makes the acceptance byte and the first data record
        // reach the client in one read: the record left over after the handshake must come out of the client's
        // first read instead of waiting for more bytes (which never come here).
        RpcOptions config = Config(certs.CertsDir);
        var transport = new Rpc25519.Transport.TlsTransport(config.Tls);
        await using var listener = await transport.ListenAsync("127.0.0.1:0");
        await using var proxy = new FlippingProxy(IPEndPoint.Parse(listener.LocalAddress[6..]), flipAt: long.MaxValue,
            gatherDownstream: TimeSpan.FromMilliseconds(300));
        var accept = Task.Run(async () =>
        {
            var connection = (await listener.AcceptAsync())!;
            await connection.Transport.Output.WriteAsync("push"u8.ToArray());
            return connection;
        });
        await using var client = await transport.DialAsync(proxy.EndPoint.ToString());
        await using var server = await accept;
        Assert.Equal("push"u8.ToArray(), await ReadAsync(client.Transport.Input, 4));
    }

    [Fact]
    public async Task ManyCallersOnOneTlsConnection_GetTheirOwnReplies_WithFramesSpanningRecords()
    {
        RpcOptions config = Config(certs.CertsDir);
        await using RpcServer server = await StartEchoAsync(config);
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, config));
        // 64 callers: their small frames share flushes (and records); every eighth call carries a frame larger than
        // a record, so record boundaries fall inside frames.
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async caller =>
        {
            for (int i = 0; i < 20; i++)
            {
                byte[] payload = new byte[(caller + i) % 8 == 0 ? 40_000 + caller : 64];
                Random.Shared.NextBytes(payload);
                Assert.Equal(payload, await EchoAsync(client, payload));
            }
        })).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task TamperedTlsRecord_ClosesTheConnection_AndTheServerLogsWhy()
    {
        var log = new ListLoggerProvider();
        RpcOptions config = Config(certs.CertsDir);
        config.LoggerFactory = log.Factory();
        await using RpcServer server = await StartEchoAsync(config);
        // The handshake takes the client's first few KiB; byte 30,000 is inside a record of the 100 KB request.
        await using var proxy = new FlippingProxy(IPEndPoint.Parse(server.LocalAddress[6..]), flipAt: 30_000);
        RpcOptions clientConfig = Config(certs.CertsDir);
        clientConfig.ServerAddress = proxy.EndPoint.ToString();
        await using RpcClient client = await RpcClient.ConnectAsync(clientConfig);
        await Assert.ThrowsAnyAsync<RpcException>(() => EchoAsync(client, new byte[100_000]));
        await client.Disconnected.WaitHandleAsync(TimeSpan.FromSeconds(10));
        await log.WaitForAsync(m => m.StartsWith("Receiving from", StringComparison.Ordinal)
            && m.Contains("bad_record_mac", StringComparison.Ordinal));
    }

    /// <summary>Reads <paramref name="count"/> bytes, or up to the end of the stream.</summary>
    private static async Task<byte[]> ReadAsync(System.IO.Pipelines.PipeReader input, int count)
    {
        var all = new List<byte>();
        while (all.Count < count)
        {
            var read = await input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                all.AddRange(segment.ToArray());
            }
            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        return [.. all];
    }
}
