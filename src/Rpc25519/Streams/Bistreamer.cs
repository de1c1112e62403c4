using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>
/// Both directions at once on one call ID (<see cref="RpcClient.BeginBistreamAsync"/>): send parts up with
/// <see cref="SendAsync"/> and <see cref="CompleteUploadAsync"/> while reading the server's parts with
/// <see cref="ReadAllAsync"/>; then await <see cref="ClientStream.Reply"/>. Each direction has its own credit window.
/// </summary>
/// <remarks>One sender and one reader at a time (they may be concurrent with each other). Disposing before the reply
/// cancels the stream on both sides.</remarks>
public sealed class Bistreamer : ClientStream
{
    internal Bistreamer(OpenStream stream) : base(stream)
    {
    }

    /// <summary>Sends a middle upload part.</summary>
    /// <param name="part">The part; not to be reused until the send completes.</param>
    /// <param name="cancellationToken">Cancelling it cancels the stream on both sides.</param>
    public Task SendAsync(Message part, CancellationToken cancellationToken = default) =>
        StreamCalls.SendAsync(Stream, part, CallType.UploadMore, last: false, cancellationToken).AsTask();

    /// <summary>Sends the last upload part; the download direction goes on until the server ends it.</summary>
    /// <param name="last">The last part.</param>
    /// <param name="cancellationToken">Cancelling it cancels the stream on both sides.</param>
    public Task CompleteUploadAsync(Message last, CancellationToken cancellationToken = default) =>
        StreamCalls.SendAsync(Stream, last, CallType.UploadEnd, last: true, cancellationToken).AsTask();

    /// <summary>The server's parts, in order, until its last one (or the final reply). Read once.</summary>
    /// <param name="cancellationToken">Cancelling it cancels the stream on both sides.</param>
    public IAsyncEnumerable<Message> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Stream.ReadAllAsync(cancellationToken, cancelRemotely: true);
}
