namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Checks the snapshot file against the log's last checkpoint, for recovery and for the read-only verifier. The
/// checkpoint names the snapshot it follows (index, term and the file's BLAKE3 hash). The file may be newer than the
/// checkpoint (a crash after the file was renamed into place, before its checkpoint was durable), but never older,
/// missing, or different at the same point: the checkpoint segment starts its own hash chain, so this hash is what
/// tells a checkpoint segment or snapshot file copied in from another directory. Static and pure.
/// </summary>
internal static class SnapshotBinding
{
    /// <summary>Returns true if the file is newer than the checkpoint; throws if it cannot belong to it.</summary>
    /// <param name="directory">The storage directory, for the error's file path.</param>
    /// <param name="stored">The verified snapshot file, or null if there is none.</param>
    /// <param name="index">The checkpoint's snapshot index (0: no checkpoint).</param>
    /// <param name="term">The checkpoint's snapshot term.</param>
    /// <param name="hash">The snapshot file hash the checkpoint recorded.</param>
    /// <exception cref="StorageCorruptedException">The file is missing, older, or not the one recorded.</exception>
    public static bool Check(string directory, StoredSnapshot? stored, long index, long term,
        ReadOnlySpan<byte> hash)
    {
        string path = Path.Combine(directory, SnapshotFile.FileName);
        if (stored is null)
        {
            return index == 0
                ? false
                : throw new StorageCorruptedException(path, 0, $"the log's checkpoint needs a snapshot at index " +
                    $"{index} but the snapshot file is missing");
        }

        var snapshot = stored.Snapshot;
        if (snapshot.Index < index || (snapshot.Index == index && snapshot.Term != term))
        {
            throw new StorageCorruptedException(path, 0, $"the snapshot file holds index {snapshot.Index} term " +
                $"{snapshot.Term} but the log's checkpoint needs index {index} term {term}");
        }

        if (snapshot.Index == index && !hash.SequenceEqual(stored.Hash))
        {
            throw new StorageCorruptedException(path, 0, $"the snapshot file's BLAKE3 hash is not the one the " +
                $"log's checkpoint recorded for index {index}: the snapshot file or the checkpoint segment comes " +
                "from another storage directory");
        }

        return snapshot.Index > index;
    }
}
