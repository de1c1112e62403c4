namespace Rpc25519.Tube.Storage.Wal;

/// <summary>What scanning one segment found.</summary>
/// <param name="ValidBytes">Where the verified records end.</param>
/// <param name="TornTail">True if bytes after <paramref name="ValidBytes"/> are a torn write to drop.</param>
/// <param name="Chain">The chain hash of the last verified record.</param>
internal readonly record struct SegmentScanResult(long ValidBytes, bool TornTail, byte[] Chain);
