using System.Buffers;
using Microsoft.Extensions.Logging;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Encodes records into the hash chain and writes them with group commit. <see cref="Enqueue"/> only encodes into
/// memory. The first <see cref="FlushAsync"/> with nothing in flight starts the flush loop (on the caller's
/// thread and scheduler): it takes everything queued, writes it, fsyncs once, completes the waiters it covered,
/// and repeats while more was queued during the fsync. So a batch is whatever arrived during the previous fsync;
/// there is no timer. Segments rotate when a record would pass the size limit; a new segment is created by the
/// loop (after the previous one is fsynced) and the directory is fsynced with the batch.
/// Thread-safe: one lock guards the queue and counters; no I/O runs under it, and waiters complete outside it
/// with continuations forced asynchronous.
/// </summary>
internal sealed class WalWriter
{
    private readonly object gate = new();
    private readonly IStorageFileSystem fileSystem;
    private readonly string directory;
    private readonly long segmentBytesMax;
    private readonly ILogger logger;

    /// <summary>The chain hash of the last record queued.</summary>
    private readonly byte[] chain;

    /// <summary>Records queued and not yet taken by the loop, per segment, in order.</summary>
    private List<PendingChunk> pending = [];

    /// <summary>Flush requests waiting, in ticket order.</summary>
    private readonly Queue<(long Ticket, TaskCompletionSource Done)> waiters = new();

    /// <summary>The segment receiving queued records, and its length including queued bytes.</summary>
    private long segmentSequence;
    private long segmentLength;

    /// <summary>Records queued so far; records durable so far (both count from the open).</summary>
    private long queuedRecords;
    private long durableRecords;

    private bool flushing;

    /// <summary>Completed when the running flush loop exits; made only when <see cref="DisposeAsync"/> waits.</summary>
    private TaskCompletionSource? idle;
    private StorageFailedException? failure;
    private bool disposed;

    /// <summary>The open segment file; touched only by the flush loop (and the constructor).</summary>
    private IStorageFile? file;
    private long fileSequence;

    /// <summary>Times each batch's closing fsync for <c>tube.wal.fsync.duration</c>, only while someone listens.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Bytes reserved ahead of the writes in the open segment (<see cref="IStorageFile.Reserve"/>), so that a
    /// batch's sync has no size change to write; 0 reserves nothing.</summary>
    public long PreallocateBytes { get; init; }

    /// <summary>The size reserved in the open segment file so far.</summary>
    private long reservedSize;

    /// <summary>How many records the batch being written holds (set when the flush loop takes it).</summary>
    private long batchRecords;

    private long syncCount;
    private long batchCount;

    /// <summary>Continues an existing segment, or (with <paramref name="file"/> null) starts segment
    /// <paramref name="sequence"/> whose header goes out with the first batch.</summary>
    public WalWriter(IStorageFileSystem fileSystem, string directory, long segmentBytesMax, ILogger logger,
        IStorageFile? file, long sequence, byte[] chain)
    {
        this.fileSystem = fileSystem;
        this.directory = directory;
        this.segmentBytesMax = segmentBytesMax;
        this.logger = logger;
        this.chain = chain.ToArray();
        this.file = file;
        if (file is null)
        {
            segmentSequence = sequence - 1;
            StartSegmentLocked();
        }
        else
        {
            fileSequence = segmentSequence = sequence;
            segmentLength = file.Length;
        }
    }

    public long SyncCount => Interlocked.Read(ref syncCount);

    public long BatchCount => Interlocked.Read(ref batchCount);

    /// <summary>Encodes a record at the end of the queue; <paramref name="newSegment"/> first rotates.</summary>
    /// <returns>The sequence number of the segment holding the record.</returns>
    public long Enqueue(RecordKind kind, ReadOnlySpan<byte> payload, bool newSegment = false)
    {
        lock (gate)
        {
            ThrowIfUnusableLocked();
            long recordBytes = WalRecord.HeaderBytes + payload.Length;
            if (newSegment || (segmentLength + recordBytes > segmentBytesMax && segmentLength > HeaderRecordBytes))
            {
                StartSegmentLocked();
            }

            if (pending.Count == 0 || pending[^1].Sequence != segmentSequence)
            {
                pending.Add(new PendingChunk(segmentSequence));
            }

            var chunk = pending[^1];
            WalRecord.Encode(chunk.Bytes, kind, payload, previousChain: chain, chain: chain);
            segmentLength += recordBytes;
            queuedRecords++;
            return segmentSequence;
        }
    }

    /// <summary>Completes when every record queued before the call is fsynced.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        bool start;
        lock (gate)
        {
            if (failure is not null)
            {
                return Task.FromException(failure);
            }

            if (durableRecords == queuedRecords)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Enqueue((queuedRecords, done));
            start = !flushing;
            flushing = true;
        }

        if (start)
        {
            // The loop catches every I/O error and hands it to the waiters; DisposeAsync waits for it to go idle.
            _ = RunFlushLoopAsync();
        }

        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }

    /// <summary>Flushes what is queued, waits for the loop, refuses further writes, closes the segment.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None);
        }
        catch (StorageFailedException)
        {
            // Already reported to the writers that waited; disposing must still release the file.
        }

        Task stopped = Task.CompletedTask;
        lock (gate)
        {
            disposed = true;
            if (flushing)
            {
                idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                stopped = idle.Task;
            }
        }

        await stopped;
        await DropReservedTailAsync();
        file?.Dispose();
    }

    /// <summary>On a clean close, cuts the open segment's reserved zeros, so a closed log ends at its last record
    /// (recovery would cut them too; this keeps the files plain for tools that read them). The flush loop has
    /// stopped, so this is its only user of the file now.</summary>
    private async Task DropReservedTailAsync()
    {
        bool usable;
        lock (gate)
        {
            usable = failure is null;
        }

        if (usable && file is not null && reservedSize > file.Length)
        {
            try
            {
                file.Truncate(file.Length);
                await file.SyncAsync();
                reservedSize = file.Length;
            }
            catch (IOException e)
            {
                StorageLog.ReservedTailKept(logger, directory, e);
            }
        }
    }

    /// <summary>Closes the segment file without writing what is queued: for an open that failed half-way, when
    /// no flush loop runs.</summary>
    public void CloseWithoutFlush()
    {
        lock (gate)
        {
            disposed = true;
        }

        file?.Dispose();
    }

    private const int HeaderRecordBytes = WalRecord.HeaderBytes + 8 + 8 + WalRecord.ChainBytes;

    private void StartSegmentLocked()
    {
        segmentSequence++;
        var chunk = new PendingChunk(segmentSequence);
        var header = new ArrayBufferWriter<byte>(HeaderRecordBytes);
        PayloadWriter.SegmentHeader(header, segmentSequence, chain);
        WalRecord.Encode(chunk.Bytes, RecordKind.SegmentHeader, header.WrittenSpan, previousChain: chain,
            chain: chain);
        pending.Add(chunk);
        segmentLength = HeaderRecordBytes;
        queuedRecords++;
    }

    /// <summary>Throws if the writer was disposed or failed, so callers can refuse before changing their own
    /// state.</summary>
    public void ThrowIfUnusable()
    {
        lock (gate)
        {
            ThrowIfUnusableLocked();
        }
    }

    private void ThrowIfUnusableLocked()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (failure is not null)
        {
            throw failure;
        }
    }

    private async Task RunFlushLoopAsync()
    {
        TaskCompletionSource? stopped;
        while (TryTakeBatch(out var batch, out long ticket, out stopped))
        {
            Exception? error = null;
            try
            {
                await WriteBatchAsync(batch);
            }
            catch (Exception e)
            {
                error = e;
            }

            if (!CompleteWaiters(ticket, error))
            {
                lock (gate)
                {
                    stopped = StopLoopLocked();
                }

                break;
            }

            // Nobody waits for more: stop now. A loop left running until a yield came back would make the next
            // flush queue behind it and resume on another thread, where stopping here lets that flush start the
            // loop again on its own thread (the host loop's, for a lone writer), with no hop.
            if (TryStopIdle(out stopped))
            {
                break;
            }

            // Let the writers just released run first: they queue their next records (and see a flush still
            // running) before this loop takes the next batch. On the thread pool their continuations would
            // otherwise wait behind this loop's next blocking fsync, and every batch would hold one write.
            await Task.Yield();
        }

        stopped?.TrySetResult();
    }

    /// <summary>Takes everything queued if anyone waits for it. Otherwise marks the loop stopped, in the same
    /// lock, so that a FlushAsync arriving now starts a new loop, and returns the idle signal to complete.</summary>
    private bool TryTakeBatch(out List<PendingChunk> batch, out long ticket, out TaskCompletionSource? stopped)
    {
        lock (gate)
        {
            if (pending.Count > 0 && waiters.Count > 0)
            {
                batch = pending;
                pending = [];
                ticket = queuedRecords;
                batchRecords = queuedRecords - durableRecords;
                stopped = null;
                return true;
            }

            batch = [];
            ticket = 0;
            stopped = StopLoopLocked();
            return false;
        }
    }

    /// <summary>Marks the loop stopped when no flush waits, in the same lock as <see cref="FlushAsync"/> checks
    /// it.</summary>
    private bool TryStopIdle(out TaskCompletionSource? stopped)
    {
        lock (gate)
        {
            if (waiters.Count > 0)
            {
                stopped = null;
                return false;
            }

            stopped = StopLoopLocked();
            return true;
        }
    }

    /// <summary>Marks the loop stopped; returns the idle signal to complete once the lock is released.</summary>
    private TaskCompletionSource? StopLoopLocked()
    {
        flushing = false;
        var stopped = idle;
        idle = null;
        return stopped;
    }

    /// <summary>Writes and fsyncs one batch. Only the flush loop calls it, one batch at a time.</summary>
    private async Task WriteBatchAsync(List<PendingChunk> batch)
    {
        bool created = false;
        foreach (var chunk in batch)
        {
            if (file is null || chunk.Sequence != fileSequence)
            {
                if (file is not null)
                {
                    // A closed segment keeps no reserved zeros: only the last segment may end in them.
                    if (reservedSize > file.Length)
                    {
                        file.Truncate(file.Length);
                    }

                    await file.SyncAsync();
                    Interlocked.Increment(ref syncCount);
                    file.Dispose();
                }

                file = fileSystem.OpenForAppend(Path.Combine(directory, WalSegment.FileName(chunk.Sequence)), true);
                fileSequence = chunk.Sequence;
                reservedSize = 0;
                created = true;
                StorageLog.SegmentStarted(logger, chunk.Sequence);
            }

            Reserve(file, chunk.Bytes.WrittenCount);
            file.Append(chunk.Bytes.WrittenSpan);
        }

        long started = Diagnostics.TubeMetrics.Start(Diagnostics.TubeMetrics.FsyncDuration, Time);
        await file!.SyncAsync();
        Diagnostics.TubeMetrics.RecordSince(Diagnostics.TubeMetrics.FsyncDuration, started, Time);
        Diagnostics.TubeMetrics.BatchRecords.Record(Interlocked.Read(ref batchRecords));
        Interlocked.Increment(ref syncCount);
        Interlocked.Increment(ref batchCount);
        if (created)
        {
            await fileSystem.SyncDirectoryAsync(directory);
        }
    }

    /// <summary>Reserves room for <paramref name="bytes"/> more, and <see cref="PreallocateBytes"/> beyond (up to the
    /// segment limit), when the reserved size would not hold them.</summary>
    private void Reserve(IStorageFile segment, long bytes)
    {
        long needed = segment.Length + bytes;
        if (PreallocateBytes <= 0 || needed <= reservedSize)
        {
            return;
        }

        reservedSize = Math.Max(needed, Math.Min(segmentBytesMax, segment.Length + PreallocateBytes));
        segment.Reserve(reservedSize);
    }

    /// <summary>Completes the waiters a batch covered, or all of them with the error. False stops the loop.</summary>
    private bool CompleteWaiters(long ticket, Exception? error)
    {
        var done = new List<TaskCompletionSource>();
        lock (gate)
        {
            if (error is not null)
            {
                failure = new StorageFailedException(directory, error);
                pending.Clear();
            }
            else
            {
                durableRecords = ticket;
            }

            while (waiters.Count > 0 && (error is not null || waiters.Peek().Ticket <= ticket))
            {
                done.Add(waiters.Dequeue().Done);
            }
        }

        if (error is not null)
        {
            StorageLog.WriteFailed(logger, directory, error);
        }

        foreach (var waiter in done)
        {
            if (error is null)
            {
                waiter.TrySetResult();
            }
            else
            {
                waiter.TrySetException(failure!);
            }
        }

        return error is null;
    }
}
