using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// When the peer reads slowly, senders wait instead of piling up memory or dropping messages: the bounded send queue
/// and the transport hold the line, and once the peer reads, everything arrives, in order.
/// </summary>
public sealed class BackPressureTests
{
    [Fact]
    public async Task A_peer_that_does_not_read_slows_senders_and_nothing_is_lost()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.SendQueueCapacity = 4);
        using Socket peer = await listener.AcceptAsync();

        const int messages = 64;
        byte[] payload = new byte[512 * 1024];
        Task[] sends = Enumerable.Range(0, messages).Select(i =>
        {
            var message = new Message { Payload = payload, Header = { ServiceName = "sink", Subject = i.ToString() } };
            return client.SendAsync(message);
        }).ToArray();
        // Back-pressure holds senders: the queue (4 frames) is full behind a writer the peer does not drain.
        await Peers.PeerHarness.Eventually(() => client.ConnectionForTests.WaitingSenders > 0,
            "senders to wait for room in the full send queue");
        int doneBeforeReading = sends.Count(t => t.IsCompleted);

        List<Message> received = await ReadFramesAsync(peer, messages);

        await Task.WhenAll(sends).WaitAsync(Loopback.Patience);
        Assert.True(doneBeforeReading < messages, "32 MiB cannot all be sent to a peer that reads nothing");
        Assert.Equal(Enumerable.Range(0, messages).Select(i => i.ToString()), received.Select(m => m.Header.Subject));
        Assert.All(received, m => Assert.Equal(payload.Length, m.Payload.Length));
    }

    [Fact]
    public async Task A_send_cancelled_while_waiting_for_room_is_withdrawn_and_the_others_still_arrive()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.SendQueueCapacity = 1);
        using Socket peer = await listener.AcceptAsync();
        byte[] payload = new byte[1024 * 1024];
        Task Send(string subject, CancellationToken ct = default) => client.SendAsync(
            new Message { Payload = payload, Header = { ServiceName = "sink", Subject = subject } }, ct);

        Task[] before = Enumerable.Range(0, 30).Select(i => Send($"a{i}")).ToArray();
        using var cancel = new CancellationTokenSource();
        Task withdrawn = Send("withdrawn", cancel.Token);
        Task after = Send("after");
        await Peers.PeerHarness.Eventually(() => client.ConnectionForTests.WaitingSenders >= 2,
            "the last two sends to wait in line");
        Assert.False(withdrawn.IsCompleted, "30 MiB to a peer that reads nothing must leave this send waiting");
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WaitAsync(Loopback.Patience));
        List<Message> received = await ReadFramesAsync(peer, 31);
        await Task.WhenAll([.. before, after]).WaitAsync(Loopback.Patience);
        Assert.DoesNotContain(received, m => m.Header.Subject == "withdrawn");
        Assert.Equal("after", received[^1].Header.Subject);
    }

    private static async Task<List<Message>> ReadFramesAsync(Socket socket, int count)
    {
        var messages = new List<Message>();
        var buffer = new ArrayBufferWriter<byte>();
        byte[] chunk = new byte[256 * 1024];
        using var timeout = new CancellationTokenSource(Loopback.Patience);
        while (messages.Count < count)
        {
            int read = await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            Assert.True(read > 0, "the client closed the connection");
            buffer.Write(chunk.AsSpan(0, read));
            int consumed = 0;
            while (true)
            {
                var rest = new ReadOnlySequence<byte>(buffer.WrittenMemory[consumed..]);
                if (!FrameHeader.TryRead(rest, RpcOptions.DefaultMaxFrameBytes, out FrameHeader header)
                    || rest.Length < FrameHeader.Size + header.BodyLength)
                {
                    break;
                }
                messages.Add(MessageCodec.Decode(rest.Slice(FrameHeader.Size, header.BodyLength)));
                consumed += FrameHeader.Size + header.BodyLength;
            }
            byte[] left = buffer.WrittenSpan[consumed..].ToArray();
            buffer.Clear();
            buffer.Write(left);
        }
        return messages;
    }
}
