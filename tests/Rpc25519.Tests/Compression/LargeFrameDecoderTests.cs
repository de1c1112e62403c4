using System.Buffers;
using MessagePack;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Rpc;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rpc25519.Tests.Compression;

/// <summary>
/// Large compressed frames are decoded within what their connection took from the memory budget: zstd straight into
/// the message's payload (no buffer of the whole decompressed size), with every decompressed byte counted by the
/// budget while a decoder holds it, and bodies that lie about their size refused as soon as they produce too much.
/// </summary>
public sealed class LargeFrameDecoderTests
{
    private const int MaxFrameBytes = 64 * 1024 * 1024;

    [Fact]
    public void A_zstd_frame_decodes_into_its_payload_holding_little_more_than_the_payload()
    {
        byte[] payload = Compressible(3 * 1024 * 1024 + 17);
        Message sent = RawFrames.EchoRequest(payload);
        sent.Header.Subject = "subject";
        sent.Error = "an error text";
        var budget = new MemoryBudget(64L * 1024 * 1024);

        // Split across segments, as a pipe hands it over.
        Message got = Decode(RawFrames.Frame(sent, CompressionAlgo.Zstd03), budget, segmentBytes: 1000);

        Assert.Equal(payload, got.Payload);
        Assert.Equal("subject", got.Header.Subject);
        Assert.Equal("an error text", got.Error);
        // The payload itself plus the 64 KiB first look: never a second buffer of the decompressed size.
        Assert.InRange(budget.PeakDecodeBufferBytes, payload.Length, payload.Length + 64 * 1024);
        Assert.Equal(0, budget.DecodeBufferBytes);
        Assert.True(budget.PeakDecodeBufferBytes <= LargeFrameDecoder.CostOf((byte)CompressionAlgo.Zstd03, payload.Length + 200));
    }

    [Fact]
    public void A_zstd_frame_that_expands_past_its_declared_size_is_refused_without_allocating_more()
    {
        // A body of 8 MiB of zeros whose prefix says 1 MiB: the decoder stops at the declared size.
        byte[] frame = RawFrames.Frame(RawFrames.EchoRequest(new byte[8 * 1024 * 1024]), CompressionAlgo.Zstd03);
        WriteDeclaredLength(frame, 1024 * 1024);
        var budget = new MemoryBudget(64L * 1024 * 1024);

        RpcProtocolException e = Assert.Throws<RpcProtocolException>(() => Decode(frame, budget, segmentBytes: 0,
            checkPlausible: false));

        Assert.Equal(ProtocolViolation.BadCompression, e.Violation);
        Assert.True(budget.PeakDecodeBufferBytes <= 1024 * 1024 + 64 * 1024, $"held {budget.PeakDecodeBufferBytes}");
        Assert.Equal(0, budget.DecodeBufferBytes);
    }

    [Fact]
    public void A_truncated_zstd_frame_is_refused_and_its_buffers_given_back()
    {
        byte[] whole = RawFrames.Frame(RawFrames.EchoRequest(Compressible(2 * 1024 * 1024)), CompressionAlgo.Zstd03);
        byte[] cut = RawFrames.WithHeader(whole.AsSpan(FrameHeader.Size, whole.Length - FrameHeader.Size - 40).ToArray(),
            (byte)CompressionAlgo.Zstd03);
        var budget = new MemoryBudget(64L * 1024 * 1024);

        RpcProtocolException e = Assert.Throws<RpcProtocolException>(() => Decode(cut, budget, segmentBytes: 700,
            checkPlausible: false));

        Assert.Equal(ProtocolViolation.BadCompression, e.Violation);
        Assert.Equal(0, budget.DecodeBufferBytes);
    }

    [Fact]
    public void A_zstd_block_whose_size_zstd_cannot_tell_is_a_protocol_violation_not_a_zstd_exception()
    {
        // Found by the frame-zstd-large fuzz target: a declared length, then only the zstd magic number.
        byte[] frame = RawFrames.WithHeader([0x00, 0x03, 0x4B, 0xD8, 0x28, 0xB5, 0x2F, 0xFD],
            (byte)CompressionAlgo.Zstd03);
        var budget = new MemoryBudget(64L * 1024 * 1024);

        RpcProtocolException e = Assert.Throws<RpcProtocolException>(() => Decode(frame, budget, segmentBytes: 0));

        Assert.Equal(ProtocolViolation.BadCompression, e.Violation);
        Assert.Equal(0, budget.DecodeBufferBytes);
    }

    [Fact]
    public void A_zstd_window_over_8_MiB_is_refused()
    {
        byte[] body = Encode(RawFrames.EchoRequest(Compressible(20 * 1024 * 1024)));
        using var compressor = new Compressor(1);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, 25);
        byte[] frame = ZstdFrame(compressor.Wrap(body).ToArray(), body.Length);
        var budget = new MemoryBudget(128L * 1024 * 1024);

        RpcProtocolException e = Assert.Throws<RpcProtocolException>(() => Decode(frame, budget, segmentBytes: 0));

        Assert.Equal(ProtocolViolation.BadCompression, e.Violation);
        Assert.Contains("window", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, budget.DecodeBufferBytes);
    }

    [Fact]
    public void A_payload_before_other_fields_decodes_when_it_fits_the_first_look_and_is_refused_when_large()
    {
        var budget = new MemoryBudget(64L * 1024 * 1024);
        byte[] small = Compressible(100 * 1024);
        Message got = Decode(ZstdFrame(PayloadFirstBody(small)), budget, segmentBytes: 0);
        Assert.Equal(small, got.Payload);
        Assert.Equal("echo", got.Header.ServiceName);

        RpcProtocolException e = Assert.Throws<RpcProtocolException>(() =>
            Decode(ZstdFrame(PayloadFirstBody(Compressible(3 * 1024 * 1024))), budget, segmentBytes: 0));
        Assert.Equal(ProtocolViolation.UndecodableBody, e.Violation);
        Assert.Contains("payload last", e.Message, StringComparison.Ordinal);
        Assert.True(budget.PeakDecodeBufferBytes <= LargeFrameDecoder.HeadBytesMax + 64 * 1024);
        Assert.Equal(0, budget.DecodeBufferBytes);
    }

    [Theory]
    [InlineData(CompressionAlgo.Lz4)]
    [InlineData(CompressionAlgo.Snappy)]
    public void Lz4_and_snappy_frames_count_their_expanded_buffer(CompressionAlgo algo)
    {
        byte[] payload = Compressible(2 * 1024 * 1024);
        var budget = new MemoryBudget(64L * 1024 * 1024);

        Message got = Decode(RawFrames.Frame(RawFrames.EchoRequest(payload), algo), budget, segmentBytes: 0);

        Assert.Equal(payload, got.Payload);
        Assert.InRange(budget.PeakDecodeBufferBytes, payload.Length, 2 * payload.Length);
        Assert.Equal(0, budget.DecodeBufferBytes);
    }

    [Fact]
    public async Task A_large_zstd_body_is_compressed_in_pieces_and_an_incompressible_one_goes_as_is()
    {
        var encoder = new FrameEncoder(new CompressionChoice(CompressionAlgo.Zstd07), MaxFrameBytes);
        byte[] compressible = Compressible(5 * 1024 * 1024 + 3);
        byte[] random = new byte[2 * 1024 * 1024];
        new Random(7).NextBytes(random);
        // Random picks from 256 random 16-byte words: compressible (the probe sees repeats), but only to about a byte
        // a word, so the output spans several 64 KiB chunks.
        var pick = new Random(8);
        byte[] words = new byte[256 * 16];
        pick.NextBytes(words);
        byte[] half = new byte[6 * 1024 * 1024];
        for (int at = 0; at < half.Length; at += 16)
        {
            words.AsSpan(pick.Next(256) * 16, 16).CopyTo(half.AsSpan(at));
        }

        foreach ((byte[] payload, byte expected, bool prepared) in new[]
        {
            (compressible, (byte)CompressionAlgo.Zstd07, false), (compressible, (byte)CompressionAlgo.Zstd07, true),
            (random, (byte)CompressionAlgo.NoSystemCompression, false),
            (random, (byte)CompressionAlgo.NoSystemCompression, true),
            (half, (byte)CompressionAlgo.Zstd07, false), (half, (byte)CompressionAlgo.Zstd07, true),
        })
        {
            var pipe = new System.IO.Pipelines.Pipe();
            Message request = RawFrames.EchoRequest(payload);
            Assert.True(encoder.WantsPreparation(request));
            if (prepared)
            {
                // As the writer loop does: compressed in slices with yields, then written.
                await encoder.PrepareAsync(request);
            }
            int written = encoder.Write(pipe.Writer, request, out _);
            pipe.Writer.Complete();
            Assert.True(pipe.Reader.TryRead(out System.IO.Pipelines.ReadResult read));
            Assert.Equal(written, read.Buffer.Length);
            byte[] frame = read.Buffer.ToArray();
            Assert.Equal(expected, frame[5]);
            Assert.True(expected == (byte)CompressionAlgo.NoSystemCompression || written < payload.Length * 7 / 10,
                $"a compressible body of {payload.Length} bytes took {written} on the wire");
            Assert.True(payload != half || written > 2 * ChunkWriter.ChunkBytes, $"only {written} bytes: one chunk");
            var budget = new MemoryBudget(64L * 1024 * 1024);
            Assert.Equal(payload, Decode(frame, budget, segmentBytes: 0).Payload);
        }
    }

    [Theory]
    [InlineData(CompressionAlgo.Zstd01)]
    [InlineData(CompressionAlgo.Zstd11)]
    public async Task A_large_zstd_echo_round_trips_through_both_large_paths(CompressionAlgo algo)
    {
        // Request: compressed in slices by the client, decoded into its payload under the server's budget.
        // Reply: compressed in slices by the server, decoded into its payload by the client (no budget there).
        var budget = new MemoryBudget(64L * 1024 * 1024);
        var (server, port) = await Integration.Loopback.StartServerAsync(Integration.Loopback.Echo,
            o => o.DecodeBudget = budget);
        await using var _ = server;
        await using RpcClient client = await Integration.Loopback.ConnectAsync(port, o => o.Compression = algo);
        byte[] payload = CompressionTests.Compressible(3 * 1024 * 1024 + 5);

        Message reply = await client.CallAsync(new Message { Payload = payload, Header = { ServiceName = "echo" } });

        Assert.Equal(payload, reply.Payload);
        Assert.InRange(budget.PeakDecodeBufferBytes, payload.Length, payload.Length + 64 * 1024);
    }

    [Fact]
    public async Task A_large_zstd_payload_is_decoded_in_slices_that_give_other_work_a_turn()
    {
        // On a busy machine a whole bomb decoded in one work item would hold up every good client queued behind it.
        byte[] payload = Compressible(5 * LargeFrameDecoder.SliceBytes + 100);
        byte[] frame = RawFrames.Frame(RawFrames.EchoRequest(payload), CompressionAlgo.Zstd03);
        Assert.True(FrameHeader.TryRead(new ReadOnlySequence<byte>(frame), MaxFrameBytes, out FrameHeader header));
        var body = new ReadOnlySequence<byte>(frame, FrameHeader.Size, frame.Length - FrameHeader.Size);
        var scheduler = new CountingScheduler();

        Message got = await Task.Factory.StartNew(() => LargeFrameDecoder.DecodeAsync(header, body, MaxFrameBytes,
            new DecodeContext(_ => null), new MemoryBudget(64L * 1024 * 1024)).AsTask(), CancellationToken.None,
            TaskCreationOptions.None, scheduler).Unwrap();

        Assert.Equal(payload, got.Payload);
        // The start, then one turn after each full slice but the last.
        Assert.InRange(scheduler.Queued, 5, 7);
    }

    /// <summary>Runs tasks on the thread pool and counts how often work was queued to it.</summary>
    private sealed class CountingScheduler : TaskScheduler
    {
        private int _queued;

        public int Queued => Volatile.Read(ref _queued);

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _queued);
            ThreadPool.UnsafeQueueUserWorkItem(_ => TryExecuteTask(task), null);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => [];
    }

    private static Message Decode(byte[] frame, MemoryBudget budget, int segmentBytes, bool checkPlausible = true)
    {
        var whole = new ReadOnlySequence<byte>(frame);
        Assert.True(FrameHeader.TryRead(whole, MaxFrameBytes, out FrameHeader header));
        ReadOnlySequence<byte> body = segmentBytes > 0
            ? Segmented(frame.AsMemory(FrameHeader.Size), segmentBytes)
            : whole.Slice(FrameHeader.Size);
        if (!checkPlausible)
        {
            // Several segments: the decoder cannot ask zstd for the whole frame's size up front and must stop itself.
            body = Segmented(frame.AsMemory(FrameHeader.Size), Math.Max(segmentBytes, 4096));
        }
        return LargeFrameDecoder.Decode(header, body, MaxFrameBytes, new DecodeContext(_ => null), budget);
    }

    private static byte[] Compressible(int length)
    {
        byte[] bytes = new byte[length];
        var random = new Random(length);
        for (int i = 0; i < length; i += 512)
        {
            bytes[i] = (byte)random.Next(256);
        }
        return bytes;
    }

    private static byte[] Encode(Message message)
    {
        var body = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, body);
        return body.WrittenSpan.ToArray();
    }

    /// <summary>A message body with the payload first and the header after it (valid, but not how we send).</summary>
    private static byte[] PayloadFirstBody(byte[] payload)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        writer.WriteMapHeader(2);
        writer.Write(WireKeys.MessagePayload);
        writer.Write(payload);
        writer.Flush();
        byte[] header = Encode(RawFrames.EchoRequest([]));
        // Our encoding of a payload-less message is a one-field map: take its key and header value.
        body.Write(header.AsSpan(1));
        return body.WrittenSpan.ToArray();
    }

    private static byte[] ZstdFrame(byte[] body)
    {
        using var compressor = new Compressor(3);
        return ZstdFrame(compressor.Wrap(body).ToArray(), body.Length);
    }

    private static byte[] ZstdFrame(byte[] block, int declared)
    {
        byte[] compressed = new byte[FrameCompressor.LengthPrefixBytes + block.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(compressed, declared);
        block.CopyTo(compressed, FrameCompressor.LengthPrefixBytes);
        return RawFrames.WithHeader(compressed, (byte)CompressionAlgo.Zstd03);
    }

    private static void WriteDeclaredLength(byte[] frame, int declared) =>
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(FrameHeader.Size), declared);

    private static ReadOnlySequence<byte> Segmented(ReadOnlyMemory<byte> bytes, int segmentBytes)
    {
        Segment first = new(bytes[..Math.Min(segmentBytes, bytes.Length)], 0);
        Segment last = first;
        for (int at = segmentBytes; at < bytes.Length; at += segmentBytes)
        {
            last = last.Append(bytes[at..Math.Min(at + segmentBytes, bytes.Length)]);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
