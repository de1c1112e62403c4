using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Tests.Compression;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Streams;

/// <summary>A peer that ignores the credit window, or numbers parts wrongly, is disconnected; nobody else is hurt.</summary>
public sealed class StreamProtocolTests
{
    public static TheoryData<string> Cases() => ["past-credit", "out-of-order"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_sender_that_breaks_the_stream_rules_is_disconnected(string kind)
    {
        var closed = new ConcurrentDictionary<string, Exception?>();
        var never = new TaskCompletionSource();
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            Loopback.Echo(s);
            // Never reads: grants nothing beyond the initial 256 KiB.
            s.RegisterUpload("sink", async (parts, ct) => { await never.Task.WaitAsync(ct); return new Message(); });
        });
        await using var _ = server;
        server.ClientDisconnected += (_, e) => closed[e.RemoteAddress] = e.CloseReason;
        await using RpcClient good = await Loopback.ConnectAsync(port);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        string address = $"tcp://{socket.LocalEndPoint}";

        int parts = kind == "past-credit" ? 10 : 3;
        for (int i = 0; i < parts; i++)
        {
            var part = new Message { Payload = new byte[64 * 1024] };
            part.Header.CallType = i == 0 ? CallType.UploadBegin : CallType.UploadMore;
            part.Header.ServiceName = "sink";
            part.Header.CallId = "raw-stream";
            part.Header.SequenceNumber = 7;
            part.Header.StreamPart = kind == "out-of-order" && i == 2 ? 5 : i;
            try
            {
                await socket.SendAsync(RawFrames.Frame(part, CompressionAlgo.None));
            }
            catch (SocketException) when (i > 0)
            {
                break; // The server already closed on a rule broken by an earlier part; its reason is checked below.
            }
        }

        RpcProtocolException reason = Assert.IsType<RpcProtocolException>(await RawFrames.WaitForCloseAsync(closed, address));
        Assert.Equal(ProtocolViolation.StreamProtocol, reason.Violation);
        Assert.Equal("fine", (await good.CallAsync(Loopback.Request("echo", "fine"))).Text());
    }
}
