using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>
/// Both directions at once on one call ID (<see cref="RpcClient.BistreamAsync"/>): send parts up with
/// <see cref="SendAsync"/> and <see cref="CompleteUploadAsync"/> while reading the server's parts with
/// <see cref="ReadAllAsync"/>; then await <see cref="Reply"/>. Each direction has its own credit window.
/// </summary>
/// <remarks>One sender and one reader at a time (they may be concurrent with each other). Disposing before the reply
/// cancels the stream on both sides.</remarks>
public sealed class Bistreamer : IAsyncDisposable
{
    private readonly OpenStream _stream;

    internal Bistreamer(OpenStream stream)
    {
        _stream = stream;
    }

    /// <summary>The stream's call ID.</summary>
    public string CallId => _stream.CallId;

    /// <summary>The server's final reply (check <see cref="Message.JobErrs"/>).</summary>
    public Task<Message> Reply => _stream.Reply!.Task;

    /// <summary>Sends a middle upload part.</summary>
    /// <param name="part">The part; not to be reused until the send completes.</param>
    /// <param name="cancellationToken">Cancelling it cancels the stream on both sides.</param>
    public ValueTask SendAsync(Message part, CancellationToken cancellationToken = default) =>
        StreamCalls.SendAsync(_stream, part, CallType.CallUploadMore, last: false, cancellationToken);

    /// <summary>Sends the last upload part; the download direction goes on until the server ends it.</summary>
    /// <param name="last">The last part.</param>
    /// <param name="cancellationToken">Cancelling it cancels the stream on both sides.</param>
    public ValueTask CompleteUploadAsync(Message last, CancellationToken cancellationToken = default) =>
        StreamCalls.SendAsync(_stream, last, CallType.CallUploadEnd, last: true, cancellationToken);

    /// <summary>The server's parts, in order, until its last one (or the final reply). Read once.</summary>
    /// <param name="cancellationToken">Cancelling it cancels the stream on both sides.</param>
    public IAsyncEnumerable<Message> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _stream.ReadAllAsync(cancellationToken, cancelRemotely: true);

    /// <summary>Cancels the stream if it has not finished.</summary>
    public ValueTask DisposeAsync()
    {
        _stream.Cancel();
        return ValueTask.CompletedTask;
    }
}
