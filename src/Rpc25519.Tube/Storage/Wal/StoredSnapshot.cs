using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>A verified snapshot file: the snapshot and the BLAKE3 hash stored at its end, which the checkpoint
/// records to bind the log to this file.</summary>
internal sealed record StoredSnapshot(RaftSnapshot Snapshot, byte[] Hash);
