using Microsoft.Extensions.Logging;

namespace Rpc25519.Tube.Storage;

/// <summary>Log events of the Tube storage (event ids 700–709).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 700, EventName = "StorageOpened", Level = LogLevel.Information,
        Message = "Opened Tube storage {Directory}: {Segments} segments, snapshot at {SnapshotIndex}, last index " +
            "{LastIndex}")]
    public static partial void Opened(ILogger logger, string directory, int segments, long snapshotIndex,
        long lastIndex);

    [LoggerMessage(EventId = 701, EventName = "TornTailTruncated", Level = LogLevel.Warning,
        Message = "Dropped a torn write at the end of {File}: {DroppedBytes} bytes from offset {Offset}")]
    public static partial void TornTailTruncated(ILogger logger, string file, long offset, long droppedBytes);

    [LoggerMessage(EventId = 702, EventName = "SnapshotSaved", Level = LogLevel.Debug,
        Message = "Saved snapshot at index {Index} term {Term} ({Bytes} bytes)")]
    public static partial void SnapshotSaved(ILogger logger, long index, long term, int bytes);

    [LoggerMessage(EventId = 703, EventName = "SegmentsDeleted", Level = LogLevel.Debug,
        Message = "Deleted {Count} log segments before segment {Sequence}")]
    public static partial void SegmentsDeleted(ILogger logger, int count, long sequence);

    [LoggerMessage(EventId = 704, EventName = "SegmentStarted", Level = LogLevel.Debug,
        Message = "Started log segment {Sequence}")]
    public static partial void SegmentStarted(ILogger logger, long sequence);

    [LoggerMessage(EventId = 705, EventName = "StorageWriteFailed", Level = LogLevel.Error,
        Message = "A write or fsync in {Directory} failed; the storage refuses further writes")]
    public static partial void WriteFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 706, EventName = "SnapshotRuleApplied", Level = LogLevel.Information,
        Message = "The snapshot file (index {Index}) is newer than the log's last checkpoint; applied it to the log")]
    public static partial void SnapshotRuleApplied(ILogger logger, long index);

    [LoggerMessage(EventId = 707, EventName = "ReservedTailKept", Level = LogLevel.Warning,
        Message = "Closing {Directory}: cutting the last segment's preallocated zeros failed; the records are " +
            "durable and the next open cuts the zeros")]
    public static partial void ReservedTailKept(ILogger logger, string directory, Exception exception);
}
