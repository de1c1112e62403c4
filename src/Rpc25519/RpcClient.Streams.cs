using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;
using Rpc25519.Streams;

namespace Rpc25519;

public sealed partial class RpcClient
{
    /// <summary>
    /// Starts an upload to the server's upload function <paramref name="serviceName"/>, sending <paramref name="first"/>
    /// as part 0 (<see cref="CallType.UploadBegin"/>). The stream has no overall timeout; set
    /// <see cref="MessageHeader.Deadline"/> on <paramref name="first"/> for one (the server's function observes it).
    /// </summary>
    /// <param name="serviceName">The registered upload function.</param>
    /// <param name="first">Part 0.</param>
    /// <param name="cancellationToken">Cancels the start (and then the upload on both sides).</param>
    /// <returns>The uploader: send more parts, then complete.</returns>
    public async Task<Uploader> BeginUploadAsync(string serviceName, Message first,
        CancellationToken cancellationToken = default)
    {
        OpenStream stream = OpenStream(serviceName, first, receives: false, sends: true);
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartStream(first, serviceName, "upload");
        await Diagnostics.RpcTracing.Traced(span,
            StreamCalls.SendAsync(stream, first, CallType.UploadBegin, last: false, cancellationToken));
        return new Uploader(stream);
    }

    /// <summary>
    /// Asks the server's download function <paramref name="serviceName"/> to stream to this client; read the parts
    /// from the returned <see cref="Downloader"/>, then its final reply.
    /// </summary>
    /// <param name="serviceName">The registered download function.</param>
    /// <param name="request">What to download (payload, Args); its <see cref="MessageHeader.Deadline"/>, if set, bounds the stream.</param>
    /// <param name="cancellationToken">Cancels the request (and then the download on both sides).</param>
    public async Task<Downloader> BeginDownloadAsync(string serviceName, Message request,
        CancellationToken cancellationToken = default)
    {
        OpenStream stream = OpenStream(serviceName, request, receives: true, sends: false);
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartStream(request, serviceName, "download");
        try
        {
            await Diagnostics.RpcTracing.Traced(span,
                stream.SendOpeningAsync(request, CallType.DownloadRequest, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stream.Cancel();
            throw;
        }
        return new Downloader(stream);
    }

    /// <summary>
    /// Opens a bistream with the server's bistream function <paramref name="serviceName"/>, sending
    /// <paramref name="first"/> as part 0 (<see cref="CallType.BistreamBegin"/>).
    /// </summary>
    /// <param name="serviceName">The registered bistream function.</param>
    /// <param name="first">Part 0 of the upload direction.</param>
    /// <param name="cancellationToken">Cancels the start (and then the stream on both sides).</param>
    public async Task<Bistreamer> BeginBistreamAsync(string serviceName, Message first,
        CancellationToken cancellationToken = default)
    {
        OpenStream stream = OpenStream(serviceName, first, receives: true, sends: true);
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartStream(first, serviceName, "bistream");
        await Diagnostics.RpcTracing.Traced(span,
            StreamCalls.SendAsync(stream, first, CallType.BistreamBegin, last: false, cancellationToken));
        return new Bistreamer(stream);
    }

    private OpenStream OpenStream(string serviceName, Message first, bool receives, bool sends)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentNullException.ThrowIfNull(first);
        var stream = new OpenStream(_connection, _connection.NewCallId(), _connection.NextSeqno(), serviceName,
            first.Header.Deadline, isClient: true, receives, sends);
        if (!_connection.TryAddStream(stream))
        {
            throw new InvalidOperationException("Call ID collision; try again."); // 168 random bits: never in practice
        }
        return stream;
    }
}
