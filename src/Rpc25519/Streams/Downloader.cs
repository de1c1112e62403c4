using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>
/// A client's download from a server's download function (<see cref="RpcClient.RequestDownloadAsync"/>): read the
/// parts in order with <see cref="ReadAllAsync"/>, then await <see cref="Reply"/>. The server can only get a window
/// ahead of the reader, so a slow reader slows the server and memory stays bounded.
/// </summary>
/// <remarks>Disposing before the reply cancels the download on both sides.</remarks>
public sealed class Downloader : IAsyncDisposable
{
    private readonly OpenStream _stream;

    internal Downloader(OpenStream stream)
    {
        _stream = stream;
    }

    /// <summary>The stream's call ID.</summary>
    public string CallId => _stream.CallId;

    /// <summary>The server's final reply (check <see cref="Message.JobErrs"/>).</summary>
    public Task<Message> Reply => _stream.Reply!.Task;

    /// <summary>The most bytes (payload + 256 per part) that ever waited here unread.</summary>
    internal long MaxQueuedBytes => _stream.Inbox!.MaxQueuedBytes;

    /// <summary>The parts, in order, until the last one (or the final reply). Read once.</summary>
    /// <param name="cancellationToken">Cancelling it cancels the download on both sides.</param>
    /// <exception cref="RemoteException">The server's function failed before it sent its last part.</exception>
    /// <exception cref="RpcConnectionClosedException">The connection was lost.</exception>
    public IAsyncEnumerable<Message> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _stream.ReadAllAsync(cancellationToken, cancelRemotely: true);

    /// <summary>Cancels the download if it has not finished.</summary>
    public ValueTask DisposeAsync()
    {
        _stream.Cancel();
        return ValueTask.CompletedTask;
    }
}
