using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519;

public sealed partial class RpcServer
{
    /// <summary>Routes one incoming message (called on its connection's reader loop; never blocks).</summary>
    private void Dispatch(ServerSession session, Message request)
    {
        MessageHeader hdr = request.Header;
        switch (hdr.CallType)
        {
            case WireCallType.CancelPrevious:
                session.CancelHandler(new CallIds.Running(hdr.CallIdKey, hdr.SequenceNumber));
                return;
            case CallType.Call:
                session.ReplyOwed();
                if (_registry.TryGetTwoWay(hdr.ServiceName, out var twoWay))
                {
                    StartHandler(HandlerInvocation.Start(session, request, twoWay, null));
                }
                else
                {
                    RpcLog.NoSuchService(_endpoint.Logger, "two-way", hdr.ServiceName, session.RemoteAddress);
                    SendCallError(session, request, $"No two-way function is registered as '{hdr.ServiceName}' " +
                        "on this server (RegisterCall).", paysOwedReply: true);
                }
                return;
            case CallType.TypedCall:
                session.ReplyOwed();
                if (_typed.TryGet(hdr.ServiceName, out var typed))
                {
                    StartHandler(HandlerInvocation.Start(session, request, typed.Handler, null));
                }
                else
                {
                    RpcLog.NoSuchService(_endpoint.Logger, "typed", hdr.ServiceName, session.RemoteAddress);
                    SendCallError(session, request, _typed.WhyNotFound(hdr.ServiceName), paysOwedReply: true);
                }
                return;
            case CallType.UploadBegin or CallType.DownloadRequest or CallType.BistreamBegin:
                DispatchStream(session, request);
                return;
            case CallType.OneWay:
                if (_registry.TryGetOneWay(hdr.ServiceName, out var oneWay))
                {
                    StartHandler(HandlerInvocation.Start(session, request, null, oneWay));
                }
                else
                {
                    RpcLog.NoSuchService(_endpoint.Logger, "one-way", hdr.ServiceName, session.RemoteAddress);
                    SendCallError(session, request, $"No one-way function is registered as '{hdr.ServiceName}' " +
                        "on this server (RegisterOneWay).");
                }
                return;
            case >= WireCallType.PeerStart and <= CallType.PeerTrafficWithServiceFallback:
                PeerApi.OnMessage(session.Connection, request);
                return;
            case CallType.Reply or CallType.Error:
                RpcLog.UnclaimedReply(_endpoint.Logger, session.RemoteAddress, hdr.CallId, hdr.SequenceNumber);
                return;
            default:
                RpcLog.UnsupportedCallType(_endpoint.Logger, hdr.CallType.ToString(), session.RemoteAddress);
                SendCallError(session, request, $"Call type {hdr.CallType} is not served by this server.");
                return;
        }
    }

    private void StartHandler(HandlerInvocation invocation)
    {
        Interlocked.Increment(ref _runningHandlers);
        TaskScheduler scheduler = _endpoint.Config.TaskScheduler;
        if (ReferenceEquals(scheduler, TaskScheduler.Default))
        {
            if (invocation.Session.Connection.TryStage(invocation))
            {
                // Runs once the reader waits for bytes again, on its thread if it is the last request of the batch.
                return;
            }
#pragma warning disable RS0030 // The default scheduler is the thread pool: queueing to it directly places the work the
            // same way without allocating a Task per request. Any other scheduler (e.g. a simulation's) gets StartNew.
            ThreadPool.UnsafeQueueUserWorkItem(invocation, preferLocal: false);
#pragma warning restore RS0030
            return;
        }
        // The task is owned by the invocation, which never throws and reports its end through HandlerEnded.
        _ = Task.Factory.StartNew(static s => ((HandlerInvocation)s!).RunAsync(), invocation, CancellationToken.None,
            TaskCreationOptions.DenyChildAttach, scheduler);
    }

    private void HandlerEnded()
    {
        if (Interlocked.Decrement(ref _runningHandlers) == 0)
        {
            Volatile.Read(ref _handlersIdle)?.TrySetResult();
        }
    }

    private void SendCallError(ServerSession session, Message request, string description, bool paysOwedReply = false)
    {
        var error = new Message(new MessageHeader
        {
            CallType = CallType.Error,
            SequenceNumber = request.Header.SequenceNumber,
            CallIdKey = request.Header.CallIdKey,
            ServiceName = request.Header.ServiceName,
            FromServiceName = request.Header.ServiceName,
            Subject = description,
            Deadline = request.Header.Deadline,
        });
        _ = SendReplyAsync(session, error, paysOwedReply);
    }

    /// <summary>Queues a reply to <paramref name="session"/>.</summary>
    /// <param name="session">The client to answer.</param>
    /// <param name="reply">The reply, fully stamped.</param>
    /// <param name="paysOwedReply">Whether this answers a two-way request counted by <see cref="ServerSession.ReplyOwed"/>.</param>
    private async Task SendReplyAsync(ServerSession session, Message reply, bool paysOwedReply)
    {
        int maxFrameBytes = _endpoint.Config.MaxFrameBytes;
        if (MessageCodec.ExceedsBodyLimit(reply, maxFrameBytes, out long bodyBytes))
        {
            // Sent as it is, the writer would refuse it and the caller would wait for its timeout: say why, now.
            RpcLog.ReplyTooLarge(_endpoint.Logger, session.RemoteAddress, reply.Header.ServiceName, bodyBytes,
                maxFrameBytes);
            reply = new Message(new MessageHeader
            {
                CallType = CallType.Error,
                SequenceNumber = reply.Header.SequenceNumber,
                CallId = reply.Header.CallId,
                ServiceName = reply.Header.ServiceName,
                FromServiceName = reply.Header.ServiceName,
                Subject = $"The reply of '{reply.Header.ServiceName}' is {bodyBytes} bytes, more than " +
                    $"RpcOptions.MaxFrameBytes ({maxFrameBytes}) on the server; return large data as a stream, or " +
                    "raise the limit on both sides.",
                Deadline = reply.Header.Deadline,
            });
        }
        try
        {
            // While other requests of this client still wait for their replies, those replies will share this
            // reply's flush; a lone reply is written at once.
            bool moreComing = paysOwedReply && session.ReplyPaidMoreOwed();
            await session.Connection.EnqueueAsync(reply, moreComing, CancellationToken.None);
        }
        catch (RpcConnectionClosedException e)
        {
            RpcLog.ReplyNotSent(_endpoint.Logger, session.RemoteAddress, reply.Header.CallId, e.Message);
        }
    }
}
