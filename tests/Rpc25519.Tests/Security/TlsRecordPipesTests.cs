using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Tls;
using Rpc25519.Transport;

namespace Rpc25519.Tests.Security;

/// <summary>The record layer run on pipes (<see cref="TlsRecordWriter"/> sealing what is written between flushes,
/// <see cref="TlsRecordReader"/> opening what arrives), over an in-memory pipe standing in for the socket.</summary>
[Collection("Security")]
public sealed class TlsRecordPipesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A sender and a receiver joined by <see cref="Wire"/>; <see cref="Aborted"/> is what the reader
    /// aborted the connection with.</summary>
    private sealed class Link
    {
        public Link(long segmentBytes = 64 * 1024, PipeScheduler? wireScheduler = null)
        {
            byte[] key = RandomNumberGenerator.GetBytes(32), iv = RandomNumberGenerator.GetBytes(12);
            Sender = new TlsRecordLayer((byte[])key.Clone(), iv, 3, new byte[32], new byte[12], 0);
            Receiver = new TlsRecordLayer(new byte[32], new byte[12], 0, (byte[])key.Clone(), iv, 3);
            Wire = new Pipe(new PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: (int)segmentBytes,
                readerScheduler: wireScheduler));
            Writer = new TlsRecordWriter(Wire.Writer, Sender);
            Time = new FakeTimeProvider();
            Reader = new TlsRecordReader(Wire.Reader, Receiver, e => Aborted = e, "tcp://test:1",
                NullLogger.Instance, Time);
        }

        public TlsRecordLayer Sender { get; }
        public TlsRecordLayer Receiver { get; }
        public Pipe Wire { get; }
        public TlsRecordWriter Writer { get; }
        public TlsRecordReader Reader { get; }
        public FakeTimeProvider Time { get; }
        public Exception? Aborted { get; private set; }
    }

    /// <summary>The session's reader loop runs its last staged piece of work inline once its read suspends, and
    /// resumes on the thread that completes the socket read (RpcConnection.Staging): over TLS that holds only if a
    /// read with nothing buffered stays pending, a read with a whole record buffered completes at once, and the
    /// record reader resumes its caller on the very thread that delivered the bytes (no thread-pool hop).</summary>
    [Fact]
    public async Task Reads_CompleteInline_OnTheThreadThatDeliversTheRecord()
    {
        // On a pool thread, as the reader loop runs: no test synchronization context to post continuations to.
        await Task.Run(async () =>
        {
            // Inline, like the socket reader, whose continuation runs where the receive completed.
            var link = new Link(wireScheduler: PipeScheduler.Inline);
            ValueTask<ReadResult> pending = link.Reader.ReadAsync();
            Assert.False(pending.IsCompleted);
            int resumedOn = 0;
            pending.GetAwaiter().UnsafeOnCompleted(() => resumedOn = Environment.CurrentManagedThreadId);
            link.Writer.Write("ping"u8);
            await link.Writer.FlushAsync();
            // The reader's continuation ran inside the flush, on this thread.
            Assert.Equal(Environment.CurrentManagedThreadId, resumedOn);
            ReadResult first = await pending; // completed already: no wait
            Assert.Equal("ping"u8.ToArray(), first.Buffer.ToArray());
            link.Reader.AdvanceTo(first.Buffer.End);

            // A whole record already in the socket reader: the read completes synchronously.
            link.Writer.Write("pong"u8);
            await link.Writer.FlushAsync();
            ValueTask<ReadResult> ready = link.Reader.ReadAsync();
            Assert.True(ready.IsCompleted);
            Assert.Equal("pong"u8.ToArray(), (await ready).Buffer.ToArray());
        });
    }

    [Fact]
    public async Task ManySmallFrames_FlushedTogether_TravelAsOneRecord_AndRoundTrip()
    {
        var link = new Link();
        byte[] sent = RandomNumberGenerator.GetBytes(100 * 64);
        for (int frame = 0; frame < 100; frame++)
        {
            // As the frame encoder does: a small header span, then the rest through Write.
            Span<byte> header = link.Writer.GetSpan(4);
            sent.AsSpan(frame * 64, 4).CopyTo(header);
            link.Writer.Advance(4);
            link.Writer.Write(sent.AsSpan(frame * 64 + 4, 60));
        }
        await link.Writer.FlushAsync();
        ReadResult wire = await link.Wire.Reader.ReadAsync();
        byte[] records = wire.Buffer.ToArray();
        link.Wire.Reader.AdvanceTo(wire.Buffer.End);
        Assert.Equal(new[] { 6400 + TlsRecordLayer.OverheadBytes }, RecordLengths(records));

        byte[] plain = new byte[records.Length];
        Assert.Equal(sent.Length, link.Receiver.Open(records, plain));
        Assert.Equal(sent, plain[..sent.Length]);
    }

    [Fact]
    public async Task LargeWrites_AreCutIntoRecordsOfAtMost16KiB_AndReadBackWhole()
    {
        var link = new Link();
        byte[] sent = RandomNumberGenerator.GetBytes(200_000);
        link.Writer.Write(sent.AsSpan(0, 70_000));
        link.Writer.Write(sent.AsSpan(70_000, 1));
        // A caller that wants more contiguous room than one record holds gets it, and it is still cut into records.
        Span<byte> big = link.Writer.GetSpan(50_000);
        sent.AsSpan(70_001, 50_000).CopyTo(big);
        link.Writer.Advance(50_000);
        link.Writer.Write(sent.AsSpan(120_001));
        await link.Writer.FlushAsync();

        ReadResult wire = await link.Wire.Reader.ReadAsync();
        List<int> lengths = RecordLengths(wire.Buffer.ToArray());
        link.Wire.Reader.AdvanceTo(wire.Buffer.Start);
        Assert.All(lengths, n => Assert.InRange(n - TlsRecordLayer.OverheadBytes, 1, TlsRecordLayer.MaxPlaintextBytes));
        // Records stay large: no more than one short record per 64 KiB of the wire's buffers.
        Assert.InRange(lengths.Count, 13, 13 + 4);
        Assert.Equal(sent, await ReadAsync(link.Reader, sent.Length));
    }

    [Fact]
    public async Task RecordLargerThanOneRead_AndRecordBoundariesInsideFrames_AreReassembled()
    {
        var link = new Link();
        byte[] sent = RandomNumberGenerator.GetBytes(16_384 + 3 + 1000);
        // Three records (16 KiB, 3 B, 1000 B) whose boundaries fall anywhere in the data: one flush each.
        int offset = 0;
        foreach (int size in new[] { 16_384, 3, 1000 })
        {
            link.Writer.Write(sent.AsSpan(offset, size));
            await link.Writer.FlushAsync();
            offset += size;
        }
        byte[] wire = Drain(link.Wire.Reader);
        Assert.Equal(3, RecordLengths(wire).Count);

        // The receiver sees the bytes arrive in 700-byte pieces: a record spans many reads, a read ends mid-record.
        var arriving = new Pipe(new PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: 512));
        var reader = new TlsRecordReader(arriving.Reader, link.Receiver, _ => { }, "tcp://test:1",
            NullLogger.Instance, link.Time);
        Task<byte[]> received = ReadAsync(reader, sent.Length);
        for (int i = 0; i < wire.Length; i += 700)
        {
            await arriving.Writer.WriteAsync(wire.AsMemory(i, Math.Min(700, wire.Length - i)));
            if (i + 700 < 16_384)
            {
                Assert.False(received.IsCompleted);
            }
        }
        Assert.Equal(sent, await received.WaitAsync(Wait));
    }

    [Fact]
    public async Task ExaminedBytes_MakeTheNextReadWaitForNewRecords()
    {
        var link = new Link();
        link.Writer.Write("hello"u8);
        await link.Writer.FlushAsync();
        ReadResult first = await link.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("hello"u8.ToArray(), first.Buffer.ToArray());
        link.Reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        ValueTask<ReadResult> second = link.Reader.ReadAsync();
        Assert.False(second.IsCompleted);
        link.Writer.Write(" world"u8);
        await link.Writer.FlushAsync();
        ReadResult more = await second.AsTask().WaitAsync(Wait);
        Assert.Equal("hello world"u8.ToArray(), more.Buffer.ToArray());
        // Unexamined bytes come back at once, without new records.
        link.Reader.AdvanceTo(more.Buffer.GetPosition(6), more.Buffer.GetPosition(6));
        ReadResult again = await link.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("world"u8.ToArray(), again.Buffer.ToArray());
        link.Reader.AdvanceTo(again.Buffer.End);
    }

    [Fact]
    public async Task CompletingTheWriter_SendsCloseNotify_WhichEndsTheInputAfterTheData()
    {
        var link = new Link();
        link.Writer.Write("last words"u8);
        await link.Writer.CompleteAsync();
        Assert.Equal("last words"u8.ToArray(), await ReadAsync(link.Reader, int.MaxValue));
        Assert.True(link.Receiver.PeerClosed);
        Assert.Null(link.Aborted);
    }

    [Fact]
    public async Task CancelPendingRead_EndsAWaitingRead_AsCanceled()
    {
        var link = new Link();
        ValueTask<ReadResult> read = link.Reader.ReadAsync();
        Assert.False(read.IsCompleted);
        link.Reader.CancelPendingRead();
        ReadResult result = await read.AsTask().WaitAsync(Wait);
        Assert.True(result.IsCanceled);
        link.Reader.AdvanceTo(result.Buffer.End);
        link.Writer.Write("after"u8);
        await link.Writer.FlushAsync();
        Assert.Equal("after"u8.ToArray(), await ReadAsync(link.Reader, 5));
    }

    [Fact]
    public async Task TamperedRecord_FailsTheRead_WithBadRecordMac_AndAbortsTheConnection()
    {
        var link = new Link();
        link.Writer.Write("good"u8);
        await link.Writer.FlushAsync();
        link.Writer.Write("forged"u8);
        await link.Writer.FlushAsync();
        byte[] wire = Drain(link.Wire.Reader);
        wire[^3] ^= 1; // a byte of the second record's tag

        var arriving = new Pipe();
        Exception? aborted = null;
        var reader = new TlsRecordReader(arriving.Reader, link.Receiver, e => aborted = e, "tcp://test:1",
            NullLogger.Instance, link.Time);
        await arriving.Writer.WriteAsync(wire);
        var error = await Assert.ThrowsAsync<IOException>(async () => await reader.ReadAsync());
        var alert = Assert.IsType<TlsFatalAlert>(error.InnerException);
        Assert.Equal(AlertDescription.bad_record_mac, alert.AlertDescription);
        Assert.Same(alert, aborted);
        // Every later read fails the same way.
        Assert.Throws<IOException>(() => reader.TryRead(out _));
    }

    [Fact]
    public async Task OversizedRecordHeader_FailsTheRead_WithRecordOverflow()
    {
        var arriving = new Pipe();
        var link = new Link();
        Exception? aborted = null;
        var reader = new TlsRecordReader(arriving.Reader, link.Receiver, e => aborted = e, "tcp://test:1",
            NullLogger.Instance, link.Time);
        await arriving.Writer.WriteAsync(new byte[] { 23, 3, 3, 0x48, 0x01 }); // 18,433 bytes: over 16 KiB + 256
        var error = await Assert.ThrowsAsync<IOException>(async () => await reader.ReadAsync());
        Assert.Equal(AlertDescription.record_overflow, Assert.IsType<TlsFatalAlert>(error.InnerException).AlertDescription);
        Assert.NotNull(aborted);
    }

    [Fact]
    public async Task TruncatedRecordAtEndOfStream_EndsTheInput_WithoutItsPlaintext()
    {
        var link = new Link();
        link.Writer.Write("whole"u8);
        await link.Writer.FlushAsync();
        link.Writer.Write("cut short"u8);
        await link.Writer.FlushAsync();
        byte[] wire = Drain(link.Wire.Reader);

        var arriving = new Pipe();
        var reader = new TlsRecordReader(arriving.Reader, link.Receiver, _ => { }, "tcp://test:1",
            NullLogger.Instance, link.Time);
        await arriving.Writer.WriteAsync(wire.AsMemory(0, wire.Length - 4));
        await arriving.Writer.CompleteAsync();
        Assert.Equal("whole"u8.ToArray(), await ReadAsync(reader, int.MaxValue));
    }

    [Fact]
    public async Task RecordThatStaysIncomplete_FailsTheRead_AfterThePartialRecordTimeout()
    {
        var link = new Link();
        link.Writer.Write("never finished"u8);
        await link.Writer.FlushAsync();
        byte[] wire = Drain(link.Wire.Reader);

        var arriving = new Pipe();
        Exception? aborted = null;
        var reader = new TlsRecordReader(arriving.Reader, link.Receiver, e =>
        {
            aborted = e;
            arriving.Writer.Complete(); // as aborting a socket ends its input
        }, "tcp://test:1", NullLogger.Instance, link.Time);
        await arriving.Writer.WriteAsync(wire.AsMemory(0, 10));
        ValueTask<ReadResult> read = reader.ReadAsync();
        Assert.False(read.IsCompleted);
        link.Time.Advance(TlsRecordReader.PartialRecordTimeout - TimeSpan.FromSeconds(1));
        Assert.False(read.IsCompleted);
        link.Time.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<IOException>(async () => await read);
        Assert.IsType<AuthenticationRejectedException>(error.InnerException);
        Assert.Same(error.InnerException, aborted);
    }

    /// <summary>The total lengths of the records in <paramref name="wire"/> (which must hold whole records).</summary>
    private static List<int> RecordLengths(byte[] wire)
    {
        var lengths = new List<int>();
        for (int at = 0; at < wire.Length;)
        {
            Assert.Equal(23, wire[at]);
            int length = TlsRecordLayer.HeaderBytes + BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(at + 3));
            lengths.Add(length);
            at += length;
        }
        return lengths;
    }

    /// <summary>Takes everything the writer has flushed to the wire.</summary>
    private static byte[] Drain(PipeReader reader)
    {
        Assert.True(reader.TryRead(out ReadResult result));
        byte[] bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        return bytes;
    }

    /// <summary>Reads <paramref name="count"/> bytes, or up to the end of the stream.</summary>
    private static async Task<byte[]> ReadAsync(PipeReader input, int count)
    {
        var all = new List<byte>();
        while (all.Count < count)
        {
            ReadResult read = await input.ReadAsync().AsTask().WaitAsync(Wait);
            all.AddRange(read.Buffer.ToArray());
            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        return [.. all];
    }
}
