using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>
/// How a server's download or bistream function sends parts to its client. Parts arrive in order, numbered from 0;
/// <see cref="SendAsync"/> waits while the client's window is full, so a slow reader slows the sender and nothing is
/// dropped.
/// </summary>
/// <remarks>Send one part at a time (await each). The library stamps the routing fields; set payload, Args, Subject.</remarks>
public sealed class StreamSender
{
    private readonly OpenStream _stream;
    private long _sent;

    internal StreamSender(OpenStream stream)
    {
        _stream = stream;
    }

    /// <summary>The stream's call ID.</summary>
    public string CallId => _stream.CallId;

    /// <summary>Sends one part: <see cref="CallType.DownloadBegin"/> for the first, then
    /// <see cref="CallType.DownloadMore"/>, or <see cref="CallType.DownloadEnd"/> when
    /// <paramref name="last"/>. A message must not be reused until the send completes.</summary>
    /// <param name="part">The part.</param>
    /// <param name="last">Whether this is the last part (the client's reading ends after it).</param>
    /// <param name="cancellationToken">Stops waiting for credit.</param>
    /// <exception cref="RpcConnectionClosedException">The connection closed.</exception>
    /// <exception cref="OperationCanceledException">The stream was cancelled.</exception>
    public Task SendAsync(Message part, bool last = false, CancellationToken cancellationToken = default)
    {
        CallType type = _sent++ == 0 ? CallType.DownloadBegin
            : last ? CallType.DownloadEnd : CallType.DownloadMore;
        return _stream.SendPartAsync(part, type, last, cancellationToken).AsTask();
    }
}
