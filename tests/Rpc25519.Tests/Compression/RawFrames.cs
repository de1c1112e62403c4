using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Tests.Compression;

/// <summary>Builds and reads frames by hand, to check what really goes over the wire.</summary>
internal static class RawFrames
{
    private static ulong s_seqno = 100;

    public static Message EchoRequest(byte[] payload)
    {
        var message = new Message { Payload = payload };
        message.Header.ServiceName = "echo";
        message.Header.CallType = CallType.Call;
        message.Header.CallId = "raw-call";
        message.Header.SequenceNumber = Interlocked.Increment(ref s_seqno);
        return message;
    }

    public static byte[] Frame(Message message, CompressionAlgo algo)
    {
        var body = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, body);
        if (algo is CompressionAlgo.None or CompressionAlgo.NoSystemCompression)
        {
            return WithHeader(body.WrittenSpan.ToArray(), (byte)algo);
        }
        var compressed = new PooledBufferWriter();
        if (FrameCompressor.TryCompress(algo, body.WrittenSpan, compressed) == 0)
        {
            throw new InvalidOperationException("Test payload did not compress.");
        }
        return WithHeader(compressed.WrittenSpan.ToArray(), (byte)algo);
    }

    public static byte[] WithHeader(byte[] body, byte compression)
    {
        byte[] frame = new byte[FrameHeader.Size + body.Length];
        FrameHeader.Write(frame, compression, body.Length);
        body.CopyTo(frame, FrameHeader.Size);
        return frame;
    }

    public static async Task<(byte Compression, Message Message)> ReadFrameAsync(Socket socket)
    {
        byte[] headerBytes = await ReadExactlyAsync(socket, FrameHeader.Size);
        Assert.True(FrameHeader.TryRead(new ReadOnlySequence<byte>(headerBytes), int.MaxValue, out FrameHeader header));
        byte[] body = await ReadExactlyAsync(socket, header.BodyLength);
        Message message = FrameBodyDecoder.Decode(header, new ReadOnlySequence<byte>(body), 64 * 1024 * 1024,
            new DecodeContext(_ => null));
        return (header.Compression, message);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int got = 0;
        while (got < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "The server closed the connection.");
            got += n;
        }
        return buffer;
    }

    /// <summary>Waits until the server has reported closing <paramref name="address"/>; returns the reason.</summary>
    public static async Task<Exception?> WaitForCloseAsync(ConcurrentDictionary<string, Exception?> closed, string address)
    {
        DateTime giveUp = DateTime.UtcNow + Integration.Loopback.Patience;
        while (!closed.ContainsKey(address))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"The server did not close the connection from {address}.");
            await Task.Delay(10);
        }
        return closed[address];
    }
}
