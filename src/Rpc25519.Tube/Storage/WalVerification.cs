namespace Rpc25519.Tube.Storage;

/// <summary>What <see cref="FileRaftStorage.Verify"/> found in a storage directory whose checks all passed.</summary>
/// <param name="Segments">The log segments checked (those from the newest checkpoint on).</param>
/// <param name="Records">The records whose header CRC, record CRC and chain hash verified, segment headers
/// included.</param>
/// <param name="SnapshotIndex">The index of the stored snapshot (its hash verified), or 0 when there is none.</param>
/// <param name="TornTailBytes">Bytes at the end of the last segment that a torn write left; opening the storage
/// drops them (0 when the log ends cleanly).</param>
public sealed record WalVerification(int Segments, long Records, long SnapshotIndex, long TornTailBytes);
