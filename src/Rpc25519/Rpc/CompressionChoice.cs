using Rpc25519.Compression;

namespace Rpc25519.Rpc;

/// <summary>
/// Which compression one connection sends with: the configured one, one the application sets later, or (on a server)
/// the one its client last used ("reader makes right"); and how many frames arrived in each.
/// </summary>
/// <remarks>Thread-safe: the reader loop reports what arrives while the writer reads the current choice.</remarks>
internal sealed class CompressionChoice
{
    private readonly CompressionAlgo _configured;

    /// <summary>The chosen algorithm (below <see cref="CompressionAlgo.NoSystemCompression"/>), or -1 for the
    /// configured one.</summary>
    private int _current = -1;

    /// <summary>Frames received, by compression byte (0–7); written only by the reader loop.</summary>
    private readonly long[] _framesReceived = new long[8];

    public CompressionChoice(CompressionAlgo configured)
    {
        _configured = configured;
    }

    /// <summary>Whether this side answers in the compression the peer last used (the server side does).</summary>
    public bool MirrorPeer { get; set; }

    /// <summary>The compression outgoing frames use now.</summary>
    public CompressionAlgo Current
    {
        get
        {
            int current = Volatile.Read(ref _current);
            return current < 0 ? _configured : (CompressionAlgo)current;
        }
    }

    /// <summary>Changes the compression this side sends with from the next frame on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a sendable algorithm.</exception>
    public void Set(CompressionAlgo algo)
    {
        if (algo > CompressionAlgo.Zstd11)
        {
            throw new ArgumentOutOfRangeException(nameof(algo), algo,
                $"Use one of: {string.Join(", ", CompressionNames.All)}.");
        }
        Volatile.Write(ref _current, (int)algo);
    }

    /// <summary>Frames received so far that used <paramref name="algo"/> (diagnostics and tests).</summary>
    public long FramesReceived(CompressionAlgo algo) => Volatile.Read(ref _framesReceived[(byte)algo & 7]);

    /// <summary>Called by the reader loop for every frame: a server follows its client's latest choice. Frames
    /// marked <see cref="CompressionAlgo.NoSystemCompression"/> (opted out, or not worth compressing) say nothing
    /// about the choice and are ignored, as are unknown values.</summary>
    public void NoteReceived(byte compression)
    {
        if (compression < _framesReceived.Length)
        {
            Volatile.Write(ref _framesReceived[compression], _framesReceived[compression] + 1);
        }
        if (MirrorPeer && compression <= (byte)CompressionAlgo.Zstd11)
        {
            Volatile.Write(ref _current, compression);
        }
    }
}
