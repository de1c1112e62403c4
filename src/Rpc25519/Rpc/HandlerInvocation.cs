using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>One run of a registered function for one request, from start to reply.</summary>
internal sealed class HandlerInvocation : IThreadPoolWorkItem
{
    private readonly RpcServer _server;
    private readonly ServerSession _session;
    private readonly Message _request;
    private readonly Func<Message, Message, CancellationToken, ValueTask>? _twoWay;
    private readonly Func<Message, CancellationToken, ValueTask>? _oneWay;

    /// <summary>The two-way handler's cancellation, registered under its call ID when the request is dispatched (on
    /// the reader loop), so that a cancel that overtakes a slow start still finds it.</summary>
    private readonly CancellationTokenSource? _scope;

    public HandlerInvocation(RpcServer server, ServerSession session, Message request,
        Func<Message, Message, CancellationToken, ValueTask>? twoWay, Func<Message, CancellationToken, ValueTask>? oneWay)
    {
        _server = server;
        _session = session;
        _request = request;
        _twoWay = twoWay;
        _oneWay = oneWay;
        if (twoWay is not null)
        {
            _scope = session.BeginHandler(request.Hdr, server.Endpoint.TimeProvider);
        }
    }

    /// <summary>Entry point when queued straight to the thread pool.</summary>
    public void Execute() => _ = RunAsync();

    /// <summary>Runs the handler and sends the reply; never throws (handler errors travel in the reply).</summary>
    public async Task RunAsync()
    {
        try
        {
            if (_twoWay is not null)
            {
                await RunTwoWayAsync(_twoWay);
            }
            else
            {
                await RunOneWayAsync(_oneWay!);
            }
        }
        finally
        {
            _server.HandlerEnded();
        }
    }

    private async Task RunTwoWayAsync(Func<Message, Message, CancellationToken, ValueTask> handler)
    {
        Hdr hdr = _request.Hdr;
        EndpointContext endpoint = _server.Endpoint;
        var reply = new Message(new Hdr { Subject = hdr.Subject });
        CancellationTokenSource scope = _scope!;
        try
        {
            await handler(_request, reply, scope.Token);
        }
        catch (Exception e)
        {
            RpcLog.HandlerFailed(endpoint.Logger, hdr.ServiceName, _session.RemoteAddress, hdr.CallId, e);
            reply.JobErrs = e is OperationCanceledException && scope.IsCancellationRequested
                ? $"The handler for '{hdr.ServiceName}' was cancelled (remote cancel, deadline, disconnect or stop)."
                : e.Message;
        }
        finally
        {
            _session.EndHandler(hdr.CallId, scope);
        }
        Hdr replyHdr = reply.Hdr;
        replyHdr.Typ = CallType.CallRpcReply;
        replyHdr.Seqno = hdr.Seqno;
        replyHdr.CallId = hdr.CallId;
        replyHdr.Deadline = hdr.Deadline;
        replyHdr.ServiceName = hdr.ServiceName;
        replyHdr.FromServiceName = hdr.ServiceName;
        replyHdr.Created = default;
        await _server.SendReplyAsync(_session, reply, paysOwedReply: true);
    }

    private async Task RunOneWayAsync(Func<Message, CancellationToken, ValueTask> handler)
    {
        try
        {
            await handler(_request, _session.Connection.Closing);
        }
        catch (Exception e)
        {
            RpcLog.HandlerFailed(_server.Endpoint.Logger, _request.Hdr.ServiceName, _session.RemoteAddress,
                _request.Hdr.CallId, e);
        }
    }
}
