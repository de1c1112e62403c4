using System.Net;
using System.Net.Sockets;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Tests.Integration;

/// <summary>A client that sends requests and never reads the replies cannot grow the server without bound: the server
/// stops reading that client while too many reply bytes wait for it, and TCP holds the client back (issue 11,
/// defect 1).</summary>
public sealed class SlowReaderTests
{
    private const int PayloadBytes = 64 * 1024;
    private const long Bound = 2 * 1024 * 1024;

    [Fact]
    public async Task A_client_that_never_reads_is_held_back_and_the_servers_unsent_bytes_stay_bounded()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, o => o.MaxBufferedBytesPerConnection = Bound);
        await using var _ = server;
        await using RpcClient good = await Loopback.ConnectAsync(port);
        using var greedy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        greedy.ReceiveBufferSize = 64 * 1024;
        await greedy.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        byte[] frame = EchoRequestFrame();

        // Send until the server stops taking requests (a send makes no progress for a while), at most 400 MiB.
        long sent = 0;
        while (sent < 400L * 1024 * 1024)
        {
            using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await greedy.SendAsync(frame, SocketFlags.None, stalled.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            sent += frame.Length;
        }

        Assert.True(sent < 100L * 1024 * 1024, $"the server took {sent >> 20} MiB of requests from a client that reads nothing");
        long unsent = MaxBufferedBytes(server);
        Assert.True(unsent <= Bound + 4 * (PayloadBytes + 1024), $"{unsent} bytes of replies wait for the greedy client");
        Assert.Equal("still served", (await good.CallAsync(Loopback.Request("echo", "still served"))
            .WaitAsync(Loopback.Patience)).Text());
    }

    private static long MaxBufferedBytes(RpcServer server) =>
        server.SessionsForTests().Max(session => session.Connection.BufferedBytes);

    private static byte[] EchoRequestFrame()
    {
        var request = new Message { Payload = new byte[PayloadBytes] };
        request.Header.ServiceName = "echo";
        request.Header.CallType = CallType.Call;
        request.Header.SequenceNumber = 7;
        request.Header.CallId = "greedy";
        var body = new PooledBufferWriter();
        MessageCodec.Encode(request, body);
        byte[] frame = new byte[FrameHeader.Size + body.WrittenCount];
        FrameHeader.Write(frame, 0, body.WrittenCount);
        body.WrittenSpan.CopyTo(frame.AsSpan(FrameHeader.Size));
        return frame;
    }
}
