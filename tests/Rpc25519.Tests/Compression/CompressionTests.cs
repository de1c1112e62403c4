using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Rpc;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Compression;

public sealed class CompressionTests
{
    public static TheoryData<CompressionAlgo> Algorithms() =>
    [
        CompressionAlgo.None, CompressionAlgo.Snappy, CompressionAlgo.Lz4, CompressionAlgo.Zstd01,
        CompressionAlgo.Zstd03, CompressionAlgo.Zstd07, CompressionAlgo.Zstd11,
    ];

    public static TheoryData<CompressionAlgo> Compressors() =>
    [
        CompressionAlgo.Snappy, CompressionAlgo.Lz4, CompressionAlgo.Zstd01, CompressionAlgo.Zstd03,
        CompressionAlgo.Zstd07, CompressionAlgo.Zstd11,
    ];

    internal static byte[] Compressible(int size)
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < size; i++)
        {
            text.Append("line ").Append(i % 97).Append(": the quick brown fox jumps over the lazy dog\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString())[..size];
    }

    internal static byte[] Incompressible(int size, int seed = 7)
    {
        byte[] bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Compressors))]
    public void Each_compressor_shrinks_text_and_round_trips_it(CompressionAlgo algo)
    {
        byte[] source = Compressible(100_000);
        var output = new PooledBufferWriter();
        int written = FrameCompressor.TryCompress(algo, source, output);
        Assert.InRange(written, 1, source.Length / 3);
        byte[] back = FrameDecompressor.Decompress(algo, new ReadOnlySequence<byte>(output.WrittenMemory),
            source.Length, out int length);
        Assert.Equal(source, back.AsSpan(0, length).ToArray());
        FrameDecompressor.ReturnBuffer(back);
    }

    [Theory]
    [MemberData(nameof(Compressors))]
    public void A_tiny_body_that_claims_a_huge_expansion_is_refused_before_anything_is_allocated_for_it(
        CompressionAlgo algo)
    {
        // A 4-byte length prefix claiming 60 MiB, then 20 bytes: no format can expand 20 bytes that far.
        byte[] body = new byte[24];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(body, 60 * 1024 * 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<RpcProtocolException>(() => FrameDecompressor.Decompress(algo,
            new ReadOnlySequence<byte>(body), 64 * 1024 * 1024, out _));

        Assert.Equal(ProtocolViolation.BadCompression, error.Violation);
        Assert.Contains("more than the format allows", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "refusing allocated the claimed size");
    }

    [Theory]
    [MemberData(nameof(Compressors))]
    public void Random_and_tiny_bodies_are_left_uncompressed(CompressionAlgo algo)
    {
        var output = new PooledBufferWriter();
        Assert.Equal(0, FrameCompressor.TryCompress(algo, Incompressible(200_000), output));
        Assert.Equal(0, FrameCompressor.TryCompress(algo, Incompressible(1000), output));
        Assert.Equal(0, FrameCompressor.TryCompress(algo, [], output));
        Assert.Equal(0, FrameCompressor.TryCompress(algo, Compressible(100), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Calls_round_trip_compressible_incompressible_and_empty_payloads(CompressionAlgo algo)
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, c => c.Compression = algo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.Compression = algo);
        foreach (byte[] payload in new[] { Compressible(300_000), Incompressible(300_000), [], Compressible(10) })
        {
            Message request = Loopback.Request("echo");
            request.Payload = payload;
            Message reply = await client.CallAsync(request);
            Assert.Equal(payload, reply.Payload);
        }
        Message optOut = Loopback.Request("echo");
        optOut.Payload = Compressible(50_000);
        optOut.Header.SkipCompression = true;
        Assert.Equal(optOut.Payload, (await client.CallAsync(optOut)).Payload);
    }

    [Fact]
    public async Task Server_answers_in_the_compression_the_client_last_used_and_follows_a_switch()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, c => c.Compression = CompressionAlgo.Snappy);
        await using var _ = server;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        byte[] payload = Compressible(20_000);

        foreach (CompressionAlgo algo in new[]
                 {
                     CompressionAlgo.Zstd07, CompressionAlgo.Lz4, CompressionAlgo.None, CompressionAlgo.Zstd01,
                 })
        {
            await socket.SendAsync(RawFrames.Frame(RawFrames.EchoRequest(payload), algo));
            (byte compression, Message reply) = await RawFrames.ReadFrameAsync(socket);
            Assert.Equal((byte)algo, compression);
            Assert.Equal(payload, reply.Payload);
        }
        // An opted-out frame does not change the server's choice.
        Message optedOut = RawFrames.EchoRequest(payload);
        await socket.SendAsync(RawFrames.Frame(optedOut, CompressionAlgo.NoSystemCompression));
        (byte still, Message _) = await RawFrames.ReadFrameAsync(socket);
        Assert.Equal((byte)CompressionAlgo.Zstd01, still);
    }

    [Fact]
    public async Task A_client_switching_compressors_mid_connection_gets_replies_in_each()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo); // the server itself sends uncompressed
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.Compression = CompressionAlgo.Lz4);
        byte[] payload = Compressible(50_000);
        foreach (CompressionAlgo algo in new[]
                 {
                     CompressionAlgo.Lz4, CompressionAlgo.Zstd11, CompressionAlgo.None, CompressionAlgo.Snappy,
                     CompressionAlgo.Zstd03,
                 })
        {
            client.Compression = algo;
            long before = client.FramesReceived(algo);
            Message request = Loopback.Request("echo");
            request.Payload = payload;
            Assert.Equal(payload, (await client.CallAsync(request)).Payload);
            Assert.Equal(before + 1, client.FramesReceived(algo));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Compression = CompressionAlgo.NoSystemCompression);
    }

    public static TheoryData<CompressionAlgo, string> Bombs()
    {
        var data = new TheoryData<CompressionAlgo, string>();
        foreach (CompressionAlgo algo in new[] { CompressionAlgo.Snappy, CompressionAlgo.Lz4, CompressionAlgo.Zstd03 })
        {
            foreach (string kind in new[] { "declared-too-big", "expands-past-declared", "corrupt" })
            {
                data.Add(algo, kind);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Bombs))]
    public async Task A_decompression_bomb_closes_the_connection_with_BadCompression(CompressionAlgo algo, string kind)
    {
        const int maxFrameBytes = 64 * 1024;
        var closed = new ConcurrentDictionary<string, Exception?>();
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, c => c.MaxFrameBytes = maxFrameBytes);
        await using var _ = server;
        server.ClientDisconnected += (_, e) => closed[e.RemoteAddress] = e.CloseReason;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        string address = $"tcp://{socket.LocalEndPoint}";

        // 1 MiB of zeros compresses to a few KiB: small on the wire, far over the limit once expanded.
        byte[] zeros = new byte[1024 * 1024];
        var compressed = new PooledBufferWriter();
        Assert.True(FrameCompressor.TryCompress(algo, zeros, compressed) > 0);
        byte[] body = compressed.WrittenSpan.ToArray();
        Assert.True(body.Length < maxFrameBytes);
        switch (kind)
        {
            case "expands-past-declared":
                BinaryPrimitives.WriteInt32BigEndian(body, 1000);
                break;
            case "corrupt":
                BinaryPrimitives.WriteInt32BigEndian(body, 1000);
                body.AsSpan(4).Fill(0x5A);
                break;
        }
        await socket.SendAsync(RawFrames.WithHeader(body, (byte)algo));

        RpcProtocolException reason = Assert.IsType<RpcProtocolException>(await RawFrames.WaitForCloseAsync(closed, address));
        Assert.Equal(ProtocolViolation.BadCompression, reason.Violation);
    }

    [Fact]
    public void Names_parse_and_print()
    {
        foreach (string name in CompressionNames.All)
        {
            Assert.Equal(name, CompressionNames.ToName(CompressionNames.Parse(name)));
        }
        Assert.Equal(CompressionAlgo.Snappy, CompressionNames.Parse("s2"));
        Assert.Equal(CompressionAlgo.None, CompressionNames.Parse(""));
        Assert.Contains("zstd:11", Assert.Throws<FormatException>(() => CompressionNames.Parse("zstd:5")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RpcOptions { Compression = CompressionAlgo.NoSystemCompression });
    }
}
