using Microsoft.Win32.SafeHandles;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Reads chunks the taker already holds, by hash, through its <see cref="ChunkIndex"/> (whose locations are full
/// paths). Keeps up to 64 read handles open, closing the oldest first.
/// </summary>
internal sealed class ChunkSourceReader : IDisposable
{
    private const int MaxOpenHandles = 64;
    private readonly ChunkIndex _index;
    private readonly Dictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);
    private readonly Queue<string> _openOrder = new();

    /// <summary>Creates a reader over <paramref name="index"/>.</summary>
    public ChunkSourceReader(ChunkIndex index) => _index = index;

    /// <summary>The index this reader resolves hashes through (the rebuild adds written literals to it).</summary>
    public ChunkIndex Index => _index;

    /// <summary>Reads the chunk with <paramref name="hash"/> into <paramref name="destination"/> (exactly its length).</summary>
    /// <exception cref="JSyncProtocolException">No file holds the chunk, or its length differs from the plan's.</exception>
    /// <exception cref="IOException">The source file is shorter than indexed (it changed since it was summarized).</exception>
    public void Read(ChunkHash hash, Span<byte> destination)
    {
        if (!_index.TryGet(hash, out ChunkLocation location))
        {
            throw new JSyncProtocolException($"The plan asks to copy chunk {hash}, which this side never offered.");
        }
        if (location.Length != destination.Length)
        {
            throw new JSyncProtocolException($"The plan gives chunk {hash} {destination.Length} bytes; it has {location.Length}.");
        }
        SafeFileHandle handle = Open(location.Path);
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(handle, destination[done..], location.Offset + done);
            if (n == 0)
            {
                throw new IOException($"'{location.Path}' is shorter than when it was summarized; it changed during the sync.");
            }
            done += n;
        }
    }

    private SafeFileHandle Open(string path)
    {
        if (_handles.TryGetValue(path, out SafeFileHandle? handle))
        {
            return handle;
        }
        if (_handles.Count >= MaxOpenHandles)
        {
            string oldest = _openOrder.Dequeue();
            _handles.Remove(oldest, out SafeFileHandle? old);
            old?.Dispose();
        }
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _handles[path] = handle;
        _openOrder.Enqueue(path);
        return handle;
    }

    /// <summary>Closes every handle.</summary>
    public void Dispose()
    {
        while (_openOrder.Count > 0)
        {
            string path = _openOrder.Dequeue();
            if (_handles.Remove(path, out SafeFileHandle? handle))
            {
                handle.Dispose();
            }
        }
    }
}
