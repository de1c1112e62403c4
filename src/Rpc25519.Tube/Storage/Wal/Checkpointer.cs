using System.Buffers;
using Microsoft.Extensions.Logging;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Starts a new segment with a checkpoint record (snapshot point, hard state, configuration, live entries), makes
/// it durable, then deletes every older segment and fsyncs the directory. After the checkpoint is durable the
/// older segments are garbage, so a crash at any step leaves a log that recovers to the same state.
/// </summary>
internal static class Checkpointer
{
    /// <summary>Queues the checkpoint; call under the storage's lock so no record slips in between.</summary>
    /// <returns>The segment that starts with the checkpoint.</returns>
    public static long EnqueueLocked(WalWriter writer, LogMirror mirror)
    {
        var payload = new ArrayBufferWriter<byte>();
        PayloadWriter.Checkpoint(payload, mirror);
        return writer.Enqueue(RecordKind.Checkpoint, payload.WrittenSpan, newSegment: true);
    }

    /// <summary>Waits for the checkpoint to be durable, then deletes the segments before it.</summary>
    public static async Task CompleteAsync(WalWriter writer, IStorageFileSystem fileSystem, string directory,
        long checkpointSequence, ILogger logger, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        await DeleteSegmentsBeforeAsync(fileSystem, directory, checkpointSequence, logger, cancellationToken);
    }

    public static async Task DeleteSegmentsBeforeAsync(IStorageFileSystem fileSystem, string directory,
        long sequence, ILogger logger, CancellationToken cancellationToken)
    {
        int deleted = 0;
        foreach (string name in fileSystem.ListFiles(directory))
        {
            if (WalSegment.TryParse(name, out long each) && each < sequence)
            {
                fileSystem.Delete(Path.Combine(directory, name));
                deleted++;
            }
        }

        if (deleted > 0)
        {
            await fileSystem.SyncDirectoryAsync(directory, cancellationToken);
            StorageLog.SegmentsDeleted(logger, deleted, sequence);
        }
    }
}
