using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>
/// A client's upload to a server's upload function (<see cref="RpcClient.BeginUploadAsync"/>): send parts in order,
/// then complete with the last one and get the server's final reply. <see cref="SendAsync"/> waits while the server's
/// window is full (back-pressure).
/// </summary>
/// <remarks>Send one part at a time. Disposing before completion cancels the upload on both sides.</remarks>
public sealed class Uploader : ClientStream
{
    internal Uploader(OpenStream stream) : base(stream)
    {
    }

    /// <summary>Sends a middle part (<see cref="CallType.UploadMore"/>).</summary>
    /// <param name="part">The part; not to be reused until the send completes.</param>
    /// <param name="cancellationToken">Cancelling it cancels the upload on both sides.</param>
    /// <exception cref="RemoteException">The server's function failed; the upload is over.</exception>
    /// <exception cref="RpcException">The server's function ended before the upload did.</exception>
    /// <exception cref="InvalidOperationException">The upload was already completed.</exception>
    public Task SendAsync(Message part, CancellationToken cancellationToken = default) =>
        StreamCalls.SendAsync(Stream, part, CallType.UploadMore, last: false, cancellationToken).AsTask();

    /// <summary>Sends the last part (<see cref="CallType.UploadEnd"/>) and waits for the final reply.</summary>
    /// <param name="last">The last part.</param>
    /// <param name="cancellationToken">Cancelling it cancels the upload on both sides.</param>
    public async Task<Message> CompleteAsync(Message last, CancellationToken cancellationToken = default)
    {
        await StreamCalls.SendAsync(Stream, last, CallType.UploadEnd, last: true, cancellationToken);
        return await StreamCalls.ReplyAsync(Stream, cancellationToken);
    }
}
