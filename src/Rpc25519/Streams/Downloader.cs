using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>
/// A client's download from a server's download function (<see cref="RpcClient.BeginDownloadAsync"/>): read the
/// parts in order with <see cref="ReadAllAsync"/>, then await <see cref="ClientStream.Reply"/>. The server can only get a window
/// ahead of the reader, so a slow reader slows the server and memory stays bounded.
/// </summary>
/// <remarks>Disposing before the reply cancels the download on both sides.</remarks>
public sealed class Downloader : ClientStream
{
    internal Downloader(OpenStream stream) : base(stream)
    {
    }

    /// <summary>The most bytes (payload + 256 per part) that ever waited here unread.</summary>
    internal long MaxQueuedBytes => Stream.Inbox!.MaxQueuedBytes;

    /// <summary>The parts, in order, until the last one (or the final reply). Read once.</summary>
    /// <param name="cancellationToken">Cancelling it cancels the download on both sides.</param>
    /// <exception cref="RemoteException">The server's function failed before it sent its last part.</exception>
    /// <exception cref="RpcConnectionClosedException">The connection was lost.</exception>
    public IAsyncEnumerable<Message> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Stream.ReadAllAsync(cancellationToken, cancelRemotely: true);
}
