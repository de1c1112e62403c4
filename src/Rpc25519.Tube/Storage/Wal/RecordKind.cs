namespace Rpc25519.Tube.Storage.Wal;

/// <summary>What a write-ahead-log record holds (byte 4 of its header).</summary>
internal enum RecordKind : byte
{
    /// <summary>The first record of every segment: magic, sequence number, and the chain hash it continues.</summary>
    SegmentHeader = 1,

    /// <summary>Log entries; the stored suffix from the first one's index on is replaced.</summary>
    Entries = 2,

    /// <summary>Hard state and configuration together.</summary>
    State = 3,

    /// <summary>The whole live state after a snapshot: snapshot index and term, state, entries after it.</summary>
    Checkpoint = 4,
}
