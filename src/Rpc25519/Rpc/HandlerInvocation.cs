using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>One run of a registered function for one request, from start to reply.</summary>
internal sealed class HandlerInvocation : IThreadPoolWorkItem
{
    private readonly ServerSession _session;
    private readonly Message _request;

    /// <summary>The function: a two-way <c>Func&lt;Message, CancellationToken, ValueTask&lt;Message&gt;&gt;</c> or a
    /// one-way <c>Func&lt;Message, CancellationToken, ValueTask&gt;</c> (one field for both: this object is made per
    /// request).</summary>
    private readonly Delegate _handler;

    /// <summary>The two-way handler's cancellation, registered under its call ID when the request is dispatched (on
    /// the reader loop), so that a cancel that overtakes a slow start still finds it.</summary>
    private readonly CancellationTokenSource? _scope;

    /// <summary>What the request holds of its connection's limits until the handler ends.</summary>
    private readonly RpcConnection.HeldRequest _held;

    public HandlerInvocation(ServerSession session, Message request,
        Func<Message, CancellationToken, ValueTask<Message>>? twoWay, Func<Message, CancellationToken, ValueTask>? oneWay)
    {
        _session = session;
        _request = request;
        _handler = (Delegate?)twoWay ?? oneWay ?? throw new ArgumentException("A handler is needed.");
        // Counted until the handler finishes, so that a client cannot queue unbounded work behind slow handlers.
        _held = session.Connection.HoldForHandler(request);
        if (twoWay is not null)
        {
            _scope = session.BeginHandler(request.Header, session.Server.Endpoint.TimeProvider);
        }
    }

    /// <summary>The client connection the request came on.</summary>
    public ServerSession Session => _session;

    /// <summary>Entry point when queued straight to the thread pool or staged on the reader loop.</summary>
    public void Execute() => _ = RunAsync();

    /// <summary>Runs the handler and sends the reply; never throws (handler errors travel in the reply).</summary>
    public async Task RunAsync()
    {
        try
        {
            if (_handler is Func<Message, CancellationToken, ValueTask<Message>> twoWay)
            {
                await RunTwoWayAsync(twoWay);
            }
            else
            {
                await RunOneWayAsync((Func<Message, CancellationToken, ValueTask>)_handler);
            }
        }
        finally
        {
            _session.Connection.ReleaseHandled(_held);
            _session.Server.HandlerEnded();
        }
    }

    private async Task RunTwoWayAsync(Func<Message, CancellationToken, ValueTask<Message>> handler)
    {
        MessageHeader hdr = _request.Header;
        EndpointContext endpoint = _session.Server.Endpoint;
        // The request's header fields that the reply echoes, read before the handler may reuse the request as its reply.
        (object callId, ulong sequenceNumber, DateTimeOffset? deadline, string serviceName, string subject) =
            (hdr.CallIdKey, hdr.SequenceNumber, hdr.Deadline, hdr.ServiceName, hdr.Subject);
        CancellationTokenSource scope = _scope!;
        Diagnostics.CallMeasurement measured = Diagnostics.RpcMetrics.StartCall(server: true, serviceName,
            endpoint.TimeProvider);
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartHandler(_request);
        string outcome = "ok";
        Message reply;
        try
        {
            reply = await handler(_request, scope.Token) ?? throw new InvalidOperationException(
                $"The handler for '{serviceName}' returned null; return a Message (an empty one for no data).");
        }
        catch (Exception e)
        {
            RpcLog.HandlerFailed(endpoint.Logger, serviceName, _session.RemoteAddress,
                CallIds.ToText(callId, sequenceNumber), e);
            outcome = e is OperationCanceledException && scope.IsCancellationRequested ? "cancelled" : "error";
            reply = new Message
            {
                Error = e is OperationCanceledException && scope.IsCancellationRequested
                    ? $"The handler for '{serviceName}' was cancelled (remote cancel, deadline, disconnect or stop)."
                    : e.Message,
            };
        }
        finally
        {
            _session.EndHandler(new CallIds.Running(callId, sequenceNumber), scope);
            Diagnostics.RpcMetrics.EndCall(measured, endpoint.TimeProvider, serviceName, outcome);
            Diagnostics.RpcTracing.Stop(span, outcome);
        }
        MessageHeader replyHdr = reply.Header;
        replyHdr.CallType = CallType.Reply;
        replyHdr.SequenceNumber = sequenceNumber;
        replyHdr.CallIdKey = callId;
        replyHdr.Deadline = deadline;
        replyHdr.ServiceName = serviceName;
        replyHdr.FromServiceName = serviceName;
        replyHdr.StreamPart = 0;
        replyHdr.Created = default;
        if (replyHdr.Subject.Length == 0)
        {
            replyHdr.Subject = subject;
        }
        await _session.Server.SendReplyAsync(_session, reply, paysOwedReply: true);
    }

    private async Task RunOneWayAsync(Func<Message, CancellationToken, ValueTask> handler)
    {
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartHandler(_request, oneWay: true);
        string outcome = "ok";
        try
        {
            await handler(_request, _session.Connection.Closing);
        }
        catch (Exception e)
        {
            outcome = "error";
            RpcLog.HandlerFailed(_session.Server.Endpoint.Logger, _request.Header.ServiceName, _session.RemoteAddress,
                _request.Header.CallId, e);
        }
        finally
        {
            Diagnostics.RpcTracing.Stop(span, outcome);
        }
    }
}
