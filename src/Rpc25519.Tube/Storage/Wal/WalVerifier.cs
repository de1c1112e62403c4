using Rpc25519.Tube.Storage.Disks;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Checks a storage directory the way recovery does (snapshot hash; from the newest checkpoint on, contiguous
/// segments and every record's CRCs and chain hash) but only reads: it takes no lock, truncates nothing and deletes
/// nothing, so an operator can check a stopped node's files before opening them.
/// </summary>
internal static class WalVerifier
{
    public static WalVerification Verify(IStorageFileSystem fileSystem, string directory, long recordBytesMax)
    {
        RaftSnapshot? snapshot = SnapshotFile.Read(fileSystem, directory)?.Snapshot;
        var sequences = WalRecovery.ListSegments(fileSystem, directory);
        var (start, _) = WalRecovery.FindLastCheckpoint(fileSystem, directory, sequences, recordBytesMax);
        sequences = sequences.GetRange(start, sequences.Count - start);
        WalRecovery.CheckContiguous(directory, sequences);
        byte[]? chain = null;
        long records = 0;
        long tornBytes = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            string path = Path.Combine(directory, WalSegment.FileName(sequences[i]));
            byte[] bytes = fileSystem.ReadAllBytes(path);
            bool isLast = i == sequences.Count - 1;
            SegmentScanResult result = SegmentScanner.Scan(bytes, path, sequences[i], chain, isLast, recordBytesMax,
                (_, _, _) => records++);
            records++; // the segment header, which the visitor does not see
            chain = result.Chain;
            if (result.TornTail)
            {
                tornBytes = bytes.Length - result.ValidBytes;
            }
        }

        return new WalVerification(sequences.Count, records, snapshot?.Index ?? 0, tornBytes);
    }
}
