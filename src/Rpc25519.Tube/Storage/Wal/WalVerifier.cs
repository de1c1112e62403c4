using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Checks a storage directory the way recovery does (snapshot hash; from the newest checkpoint on, contiguous
/// segments and every record's CRCs and chain hash; the snapshot file against the last checkpoint) but only reads:
/// it takes no lock, truncates nothing and deletes nothing, so an operator can check a stopped node's files before
/// opening them.
/// </summary>
internal static class WalVerifier
{
    public static WalVerification Verify(IStorageFileSystem fileSystem, string directory, long recordBytesMax)
    {
        StoredSnapshot? snapshot = SnapshotFile.Read(fileSystem, directory);
        var sequences = WalRecovery.ListSegments(fileSystem, directory);
        var (start, _) = WalRecovery.FindLastCheckpoint(fileSystem, directory, sequences, recordBytesMax);
        sequences = sequences.GetRange(start, sequences.Count - start);
        WalRecovery.CheckContiguous(directory, sequences);
        byte[]? chain = null;
        long records = 0;
        long tornBytes = 0;
        (long Index, long Term, byte[] Hash) checkpoint = (0, 0, []);
        for (int i = 0; i < sequences.Count; i++)
        {
            string path = Path.Combine(directory, WalSegment.FileName(sequences[i]));
            byte[] bytes = fileSystem.ReadAllBytes(path);
            bool isLast = i == sequences.Count - 1;
            SegmentScanResult result = SegmentScanner.Scan(bytes, path, sequences[i], chain, isLast, recordBytesMax,
                (kind, payload, _) =>
                {
                    records++;
                    if (kind == RecordKind.Checkpoint)
                    {
                        checkpoint = new PayloadReader(payload).SnapshotPoint();
                    }
                });
            records++; // the segment header, which the visitor does not see
            chain = result.Chain;
            if (result.TornTail)
            {
                tornBytes = bytes.Length - result.ValidBytes;
            }
        }

        SnapshotBinding.Check(directory, snapshot, checkpoint.Index, checkpoint.Term, checkpoint.Hash);
        return new WalVerification(sequences.Count, records, snapshot?.Snapshot.Index ?? 0, tornBytes);
    }
}
