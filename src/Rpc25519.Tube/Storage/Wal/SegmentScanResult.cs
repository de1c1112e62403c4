using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>What scanning one segment found.</summary>
/// <param name="ValidBytes">Where the verified records end.</param>
/// <param name="TornTail">True if bytes after <paramref name="ValidBytes"/> are a torn write to drop.</param>
/// <param name="Chain">The chain hash of the last verified record.</param>
/// <param name="ZeroTail">True if only zeros follow <paramref name="ValidBytes"/> (the last segment's reserved,
/// preallocated tail; <see cref="IStorageFile.Reserve"/>): nothing was lost, but the writer continues at
/// <paramref name="ValidBytes"/>, so recovery cuts them off too.</param>
internal readonly record struct SegmentScanResult(long ValidBytes, bool TornTail, byte[] Chain, bool ZeroTail = false);
