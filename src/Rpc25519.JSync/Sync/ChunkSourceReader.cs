using Microsoft.Win32.SafeHandles;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Reads the byte ranges a plan copies, from the sources the taker offered: the files it summarized (numbered in the
/// order their summaries were sent) and the temp files it rebuilds in this sync. Keeps up to 64 read handles open,
/// closing the oldest first. The summary list may grow (send loop) while copies are read (receive loop).
/// </summary>
internal sealed class ChunkSourceReader : IDisposable
{
    private const int MaxOpenHandles = 64;
    private readonly List<string> _summaries = [];
    private readonly IReadOnlyList<FileTarget> _files;
    private readonly Dictionary<string, SafeFileHandle> _handles = new(StringComparer.Ordinal);
    private readonly Queue<string> _openOrder = new();

    /// <summary>Creates a reader whose file sources are <paramref name="files"/> (by id).</summary>
    public ChunkSourceReader(IReadOnlyList<FileTarget> files) => _files = files;

    /// <summary>Registers the next summarized file and returns its source number. Call before sending its summary.</summary>
    public int AddSummary(string fullPath)
    {
        lock (_summaries)
        {
            _summaries.Add(fullPath);
            return _summaries.Count - 1;
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/> of <paramref name="source"/>.</summary>
    /// <exception cref="JSyncProtocolException">The source was never offered, or the range is impossible.</exception>
    /// <exception cref="IOException">The source is shorter than the range (it changed since it was summarized).</exception>
    public void Read(int source, long offset, Span<byte> destination)
    {
        string path = PathOf(source);
        if (offset < 0)
        {
            throw new JSyncProtocolException($"The plan asks to copy from offset {offset} of source {source}.");
        }
        SafeFileHandle handle = Open(path);
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(handle, destination[done..], offset + done);
            if (n == 0)
            {
                throw new IOException($"'{path}' is shorter than when it was offered; it changed during the sync.");
            }
            done += n;
        }
    }

    private string PathOf(int source)
    {
        if (source >= 0)
        {
            lock (_summaries)
            {
                if (source < _summaries.Count)
                {
                    return _summaries[source];
                }
            }
        }
        else if (-(long)source - 1 < _files.Count)
        {
            return _files[-source - 1].TempPath;
        }
        throw new JSyncProtocolException($"The plan asks to copy from source {source}, which this side never offered.");
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
