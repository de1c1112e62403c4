using MessagePack;
using Rpc25519.Compression;
using Rpc25519.Typed;

namespace Rpc25519;

public sealed partial class RpcOptions
{
    private CompressionAlgo _compression = CompressionAlgo.None;

    /// <summary>
    /// The compression this side uses when it sends. A client always uses it; a server answers each client in the
    /// compression that client last used (reader makes right) and uses this one until the client has sent anything.
    /// Receiving never depends on it: every side decodes all algorithms. Messages with
    /// <see cref="Messages.MessageHeader.SkipCompression"/> set, bodies under 256 bytes, and bodies that would not shrink
    /// are sent uncompressed. Default <see cref="CompressionAlgo.None"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to <see cref="CompressionAlgo.NoSystemCompression"/> or an
    /// undefined value.</exception>
    public CompressionAlgo Compression
    {
        get => _compression;
        set => _compression = value <= CompressionAlgo.Zstd11
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value,
                $"RpcOptions.Compression must be one of: {string.Join(", ", CompressionNames.All)}.");
    }

    /// <summary>
    /// How typed calls (<see cref="RpcServer.Register"/>, <see cref="RpcClient.CallAsync{TArgs, TReply}(string, TArgs, CancellationToken)"/>,
    /// proxies) serialize arguments and replies. Default: MessagePack's <c>ContractlessStandardResolver</c> (attributed
    /// types as declared, plain public types as maps by member name) with untrusted-data security. Both sides must agree.
    /// </summary>
    public MessagePackSerializerOptions TypedSerializerOptions { get; set; } = TypedSerializer.Default;

    /// <summary>
    /// How many bytes of one stream's parts (payload plus 256 per part) this side lets the sender have in flight before
    /// it must wait for the consumer: the bound on a stream's queue here, and the lever for stream throughput.
    /// Default 8 MiB; at least 256 KiB.
    /// </summary>
    public long StreamWindowBytes { get; set; } = 8 * 1024 * 1024;
}
