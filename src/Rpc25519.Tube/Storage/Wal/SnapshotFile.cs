using System.Buffers.Binary;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// The snapshot's own file: <c>"TUBESNP1"</c>, index (i64), term (i64), data length (i64), data, then BLAKE3 of
/// everything before it. Written as DESIGN.md asks for a file that replaces another: temp file in the same
/// directory, fsync, rename over the target, fsync of the directory. Static; the caller serializes writes.
/// </summary>
internal static class SnapshotFile
{
    public const string FileName = "snapshot";
    public const string TempFileName = "snapshot.tmp";
    private const int PrefixBytes = 32;
    private static readonly byte[] Magic = "TUBESNP1"u8.ToArray();

    /// <returns>The BLAKE3 hash stored at the end of the file.</returns>
    public static async Task<byte[]> WriteAsync(IStorageFileSystem fileSystem, string directory,
        RaftSnapshot snapshot, CancellationToken cancellationToken)
    {
        var bytes = new byte[PrefixBytes + snapshot.Data.Length + WalRecord.ChainBytes];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), snapshot.Index);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), snapshot.Term);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24), snapshot.Data.Length);
        snapshot.Data.Span.CopyTo(bytes.AsSpan(PrefixBytes));
        int hashAt = bytes.Length - WalRecord.ChainBytes;
        Blake3.Hasher.Hash(bytes.AsSpan(0, hashAt), bytes.AsSpan(hashAt));

        string temp = Path.Combine(directory, TempFileName);
        fileSystem.Delete(temp);
        using (var file = fileSystem.OpenForAppend(temp, createNew: true))
        {
            file.Append(bytes);
            await file.SyncAsync(cancellationToken);
        }

        fileSystem.Rename(temp, Path.Combine(directory, FileName));
        await fileSystem.SyncDirectoryAsync(directory, cancellationToken);
        return bytes[hashAt..];
    }

    /// <summary>Reads and verifies the snapshot file; null if there is none.</summary>
    /// <exception cref="StorageCorruptedException">The file does not verify.</exception>
    public static StoredSnapshot? Read(IStorageFileSystem fileSystem, string directory)
    {
        if (!fileSystem.ListFiles(directory).Contains(FileName))
        {
            return null;
        }

        string path = Path.Combine(directory, FileName);
        var bytes = fileSystem.ReadAllBytes(path);
        if (bytes.Length < PrefixBytes + WalRecord.ChainBytes || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new StorageCorruptedException(path, 0, "the snapshot file is too short or has the wrong magic");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24));
        if (length != bytes.Length - PrefixBytes - WalRecord.ChainBytes)
        {
            throw new StorageCorruptedException(path, 24, $"the snapshot says {length} data bytes but the file " +
                $"holds {bytes.Length - PrefixBytes - WalRecord.ChainBytes}");
        }

        int hashAt = bytes.Length - WalRecord.ChainBytes;
        Span<byte> hash = stackalloc byte[WalRecord.ChainBytes];
        Blake3.Hasher.Hash(bytes.AsSpan(0, hashAt), hash);
        if (!hash.SequenceEqual(bytes.AsSpan(hashAt)))
        {
            throw new StorageCorruptedException(path, 0, $"the snapshot's bytes 0..{hashAt} do not match the BLAKE3 " +
                $"hash stored at offset {hashAt}");
        }

        long index = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        long term = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16));
        if (index < 1 || term < 1)
        {
            throw new StorageCorruptedException(path, 8, $"the snapshot claims index {index}, term {term}");
        }

        return new StoredSnapshot(new RaftSnapshot(index, term, bytes.AsMemory(PrefixBytes, (int)length)),
            bytes[hashAt..]);
    }
}
