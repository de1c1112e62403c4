namespace Rpc25519.Rpc.Streams;

/// <summary>The streams open on one connection, by call ID; closed for good when the connection closes.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class StreamTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OpenStream> _streams = new(StringComparer.Ordinal);

    /// <summary>Open streams now; lets the reader loop skip the lookup when there are none.</summary>
    private int _count;

    /// <summary>Set once the connection has closed: no stream may open any more.</summary>
    private bool _closed;

    /// <summary>Whether any stream is open (a racy hint for the reader loop's fast path).</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Registers an open stream.</summary>
    /// <returns>False if one with its call ID is open already.</returns>
    /// <exception cref="InvalidOperationException">The table is closed (the caller maps it to its own error).
    /// </exception>
    public bool TryAdd(OpenStream stream)
    {
        lock (_lock)
        {
            if (_closed)
            {
                throw new InvalidOperationException("The stream table is closed.");
            }
            if (!_streams.TryAdd(stream.CallId, stream))
            {
                return false;
            }
            _count++;
            return true;
        }
    }

    /// <summary>Removes <paramref name="stream"/> if it is still the one registered under its call ID.</summary>
    public void Remove(OpenStream stream)
    {
        lock (_lock)
        {
            if (_streams.TryGetValue(stream.CallId, out OpenStream? found) && ReferenceEquals(found, stream))
            {
                _streams.Remove(stream.CallId);
                _count--;
            }
        }
    }

    /// <summary>The stream open under <paramref name="callId"/>, or null.</summary>
    public OpenStream? Find(string callId)
    {
        lock (_lock)
        {
            return _streams.GetValueOrDefault(callId);
        }
    }

    /// <summary>Closes the table and returns the streams that were open, in no particular order.</summary>
    public List<OpenStream> Close()
    {
        lock (_lock)
        {
            _closed = true;
            List<OpenStream> open = [.. _streams.Values];
            _streams.Clear();
            _count = 0;
            return open;
        }
    }
}
