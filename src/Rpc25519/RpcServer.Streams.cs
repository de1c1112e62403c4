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
    /// <see cref="CallType.CallUploadBegin"/> message, the last its <see cref="CallType.CallUploadEnd"/>), it fills in
    /// the final reply. The parts come as fast as the function reads them (the client is held back by a credit
    /// window). An exception becomes the reply's <see cref="Message.JobErrs"/> and ends the client's upload. The token
    /// fires on client cancel, deadline, disconnect and stop.
    /// </summary>
    public void RegisterUploadReaderFunc(string name,
        Func<IAsyncEnumerable<Message>, Message, CancellationToken, ValueTask> handler) =>
        StreamServiceRegistry.Add(_streamFunctions.Upload, name, handler);

    /// <summary>
    /// Registers a download function: called with the client's request, it sends parts with the
    /// <see cref="StreamSender"/> (which waits while the client is a window behind) and fills in the final reply, sent
    /// after the parts. An exception becomes the reply's <see cref="Message.JobErrs"/>.
    /// </summary>
    public void RegisterServerSendsDownloadFunc(string name,
        Func<Message, StreamSender, Message, CancellationToken, ValueTask> handler) =>
        StreamServiceRegistry.Add(_streamFunctions.Download, name, handler);

    /// <summary>
    /// Registers a bistream function: it reads the client's parts (the first is the opening
    /// <see cref="CallType.CallRequestBistreaming"/> message) while sending its own with the
    /// <see cref="StreamSender"/>, then fills in the final reply.
    /// </summary>
    public void RegisterBistreamFunc(string name,
        Func<IAsyncEnumerable<Message>, StreamSender, Message, CancellationToken, ValueTask> handler) =>
        StreamServiceRegistry.Add(_streamFunctions.Bistream, name, handler);

    /// <summary>Opens a stream for an upload, download or bistream request (on the reader loop; never blocks).</summary>
    private void DispatchStream(ServerSession session, Message request)
    {
        Hdr hdr = request.Hdr;
        session.ReplyOwed();
        Func<OpenStream, Func<Message, Message, CancellationToken, ValueTask>>? bind = hdr.Typ switch
        {
            CallType.CallUploadBegin when _streamFunctions.Upload.TryGetValue(hdr.ServiceName, out var upload) =>
                stream => (_, reply, token) => upload(stream.ReadAllAsync(token, cancelRemotely: false), reply, token),
            CallType.CallRequestDownload when _streamFunctions.Download.TryGetValue(hdr.ServiceName, out var download) =>
                stream => (req, reply, token) => download(req, new StreamSender(stream), reply, token),
            CallType.CallRequestBistreaming when _streamFunctions.Bistream.TryGetValue(hdr.ServiceName, out var bi) =>
                stream => (_, reply, token) =>
                    bi(stream.ReadAllAsync(token, cancelRemotely: false), new StreamSender(stream), reply, token),
            _ => null,
        };
        if (bind is null)
        {
            string kind = hdr.Typ switch
            {
                CallType.CallUploadBegin => "upload (RegisterUploadReaderFunc)",
                CallType.CallRequestDownload => "download (RegisterServerSendsDownloadFunc)",
                _ => "bistream (RegisterBistreamFunc)",
            };
            RpcLog.NoSuchService(_endpoint.Logger, kind, hdr.ServiceName, session.RemoteAddress);
            SendCallError(session, request, $"No {kind} function is registered as '{hdr.ServiceName}' on this server.",
                paysOwedReply: true);
            return;
        }
        bool receives = hdr.Typ != CallType.CallRequestDownload;
        var stream = new OpenStream(session.Connection, hdr.CallId, hdr.Seqno, hdr.ServiceName, hdr.Deadline,
            isClient: false, receives, sends: hdr.Typ != CallType.CallUploadBegin);
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
        Func<Message, Message, CancellationToken, ValueTask> run = bind(stream);
        StartHandler(new HandlerInvocation(this, session, request, async (req, reply, token) =>
        {
            // A cancelled handler (client cancel, deadline, disconnect, stop) also stops its stream's waits.
            await using CancellationTokenRegistration registration = token.Register(static s =>
                ((OpenStream)s!).Abort(new OperationCanceledException("The stream was cancelled.")), stream);
            try
            {
                await run(req, reply, token);
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
