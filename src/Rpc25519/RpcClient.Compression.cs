using Rpc25519.Compression;

namespace Rpc25519;

public sealed partial class RpcClient
{
    /// <summary>
    /// The compression this client sends with; starts as <see cref="RpcOptions.Compression"/> and may be changed at any
    /// time (from the next frame on). The server answers in whatever this client last used.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to <see cref="CompressionAlgo.NoSystemCompression"/> or an
    /// undefined value.</exception>
    public CompressionAlgo Compression
    {
        get => _connection.SendCompression;
        set => _connection.SetSendCompression(value);
    }

    /// <summary>Frames received on this connection that used <paramref name="algo"/>.</summary>
    internal long FramesReceived(CompressionAlgo algo) => _connection.FramesReceived(algo);
}
