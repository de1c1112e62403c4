using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rpc25519.Tube.Storage;

/// <summary>Settings of a write-ahead-log storage (<see cref="FileRaftStorage"/>, <see cref="SimRaftStorage"/>).
/// Validated once when the storage opens. Not thread-safe; do not change it after opening.</summary>
public sealed class RaftStorageOptions
{
    /// <summary>The data directory, created if missing. It holds the segments (<c>*.wal</c>), the snapshot file
    /// and the lock file, and nothing else of ours. Required.</summary>
    public string Directory { get; set; } = "";

    /// <summary>A segment is closed and a new one started when a record would make it longer than this. Bytes;
    /// default 64 MiB; at least 1,024. A record larger than this gets a segment of its own.</summary>
    public long SegmentBytesMax { get; set; } = 64L << 20;

    /// <summary>How far ahead of its writes the open segment is preallocated (zero-filled with <c>fallocate</c> on
    /// Linux), so that the sync ending a group-commit batch changes no file metadata and can be an
    /// <c>fdatasync</c>: on ext4 that saves a journal commit per batch. Bytes; default 1 MiB; 0 turns it off. Only the
    /// last segment ends in reserved zeros; recovery cuts them off. On a disk that cannot preallocate it has no
    /// effect.</summary>
    public long PreallocateBytes { get; set; } = 1L << 20;

    /// <summary>The largest record accepted when reading, in bytes (a longer length in a verified header is
    /// treated as corruption). Default 1 GiB; at least 4,096. One record holds one <c>Append</c> call's entries or
    /// one checkpoint, so keep this above the largest batch and the largest live log after a snapshot.</summary>
    public long RecordBytesMax { get; set; } = 1L << 30;

    /// <summary>The clock that times each group-commit fsync for the <c>tube.wal.fsync.duration</c> metric (read only
    /// while someone listens to it; see <see cref="Diagnostics.TubeDiagnostics"/>). Default
    /// <see cref="TimeProvider.System"/>; under simulation pass the simulated clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the storage logs recovery, rotation and failures; null means no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal ILogger CreateLogger() =>
        (LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Rpc25519.Tube.Storage");

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("RaftStorageOptions.Directory is required: set it to the node's data " +
                "directory.", nameof(Directory));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "RaftStorageOptions.TimeProvider is null; leave it " +
                "at its default (TimeProvider.System) or pass the simulated clock.");
        }

        if (PreallocateBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PreallocateBytes), "RaftStorageOptions.PreallocateBytes " +
                "must be 0 (off) or a positive number of bytes.");
        }

        if (SegmentBytesMax < 1024 || RecordBytesMax < 4096 || RecordBytesMax > int.MaxValue - 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentBytesMax), "RaftStorageOptions.SegmentBytesMax " +
                "must be at least 1,024 and RecordBytesMax between 4,096 and 2 GiB.");
        }
    }
}
