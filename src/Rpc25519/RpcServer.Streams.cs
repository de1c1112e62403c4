using Rpc25519.Messages;
using Rpc25519.Rpc;
using Rpc25519.Rpc.Streams;
using Rpc25519.Streams;

namespace Rpc25519;

public sealed partial class RpcServer
{
    private readonly StreamServiceRegistry _streamFunctions = new();

    /// <summary>
    /// Registers an upload function: called once per upload with the parts in order (the first is the client's
    /// <see cref="CallType.UploadBegin"/> message, the last its <see cref="CallType.UploadEnd"/>), it fills in
    /// the final reply. The parts come as fast as the function reads them (the client is held back by a credit
    /// window). An exception becomes the reply's <see cref="Message.Error"/> and ends the client's upload. The token
    /// fires on client cancel, deadline, disconnect and stop.
    /// </summary>
    /// <param name="name">The service name clients upload to.</param>
    /// <param name="handler">Reads the parts and returns the reply.</param>
    public void RegisterUpload(string name,
        Func<IAsyncEnumerable<Message>, CancellationToken, ValueTask<Message>> handler) =>
        StreamServiceRegistry.Add(_streamFunctions.Upload, name, handler);

    /// <summary>
    /// Registers a download function: called with the client's request, it sends parts with the
    /// <see cref="StreamSender"/> (which waits while the client is a window behind) and returns the final reply, sent
    /// after the parts. An exception becomes the reply's <see cref="Message.Error"/>.
    /// </summary>
    /// <param name="name">The service name clients download from.</param>
    /// <param name="handler">Takes the request and the sender, sends the parts and returns the reply.</param>
    public void RegisterDownload(string name,
        Func<Message, StreamSender, CancellationToken, ValueTask<Message>> handler) =>
        StreamServiceRegistry.Add(_streamFunctions.Download, name, handler);

    /// <summary>
    /// Registers a bistream function: it reads the client's parts (the first is the opening
    /// <see cref="CallType.BistreamBegin"/> message) while sending its own with the
    /// <see cref="StreamSender"/>, then returns the final reply.
    /// </summary>
    /// <param name="name">The service name clients open bistreams to.</param>
    /// <param name="handler">Reads the client's parts, sends its own, and returns the reply.</param>
    public void RegisterBistream(string name,
        Func<IAsyncEnumerable<Message>, StreamSender, CancellationToken, ValueTask<Message>> handler) =>
        StreamServiceRegistry.Add(_streamFunctions.Bistream, name, handler);

    /// <summary>Opens a stream for an upload, download or bistream request (on the reader loop; never blocks).</summary>
    private void DispatchStream(ServerSession session, Message request)
    {
        MessageHeader hdr = request.Header;
        session.ReplyOwed();
        Func<OpenStream, Func<Message, CancellationToken, ValueTask<Message>>>? bind = hdr.CallType switch
        {
            CallType.UploadBegin when _streamFunctions.Upload.TryGetValue(hdr.ServiceName, out var upload) =>
                stream => (_, token) => upload(stream.ReadAllAsync(token, cancelRemotely: false), token),
            CallType.DownloadRequest when _streamFunctions.Download.TryGetValue(hdr.ServiceName, out var download) =>
                stream => (req, token) => download(req, new StreamSender(stream), token),
            CallType.BistreamBegin when _streamFunctions.Bistream.TryGetValue(hdr.ServiceName, out var bi) =>
                stream => (_, token) =>
                    bi(stream.ReadAllAsync(token, cancelRemotely: false), new StreamSender(stream), token),
            _ => null,
        };
        if (bind is null)
        {
            string kind = hdr.CallType switch
            {
                CallType.UploadBegin => "upload (RegisterUpload)",
                CallType.DownloadRequest => "download (RegisterDownload)",
                _ => "bistream (RegisterBistream)",
            };
            RpcLog.NoSuchService(_endpoint.Logger, kind, hdr.ServiceName, session.RemoteAddress);
            SendCallError(session, request, $"No {kind} function is registered as '{hdr.ServiceName}' on this server.",
                paysOwedReply: true);
            return;
        }
        bool receives = hdr.CallType != CallType.DownloadRequest;
        var stream = new OpenStream(session.Connection, hdr.CallId, hdr.SequenceNumber, hdr.ServiceName, hdr.Deadline,
            isClient: false, receives, sends: hdr.CallType != CallType.UploadBegin);
        bool added;
        try
        {
            added = session.Connection.TryAddStream(stream);
        }
        catch (RpcConnectionClosedException)
        {
            added = false;
        }
        if (!added)
        {
            SendCallError(session, request, $"A stream with call ID {hdr.CallId} is already open on this connection.",
                paysOwedReply: true);
            return;
        }
        if (receives)
        {
            stream.Inbox!.Add(request, isLast: false);
        }
        Func<Message, CancellationToken, ValueTask<Message>> run = bind(stream);
        StartHandler(HandlerInvocation.Start(session, request, async (req, token) =>
        {
            // A cancelled handler (client cancel, deadline, disconnect, stop) also stops its stream's waits.
            await using CancellationTokenRegistration registration = token.Register(static s =>
                ((OpenStream)s!).Abort(new OperationCanceledException("The stream was cancelled.")), stream);
            try
            {
                return await run(req, token);
            }
            finally
            {
                session.Connection.RemoveStream(stream);
                stream.Abort(new ObjectDisposedException($"Stream {stream.CallId}",
                    "The stream function has returned; its stream is closed."));
            }
        }, null));
    }
}
