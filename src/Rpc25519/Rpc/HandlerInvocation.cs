using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>One run of a registered function for one request, from start to reply. Reused: each
/// <see cref="ServerSession"/> keeps a few ended invocations (see <see cref="ServerSession.RentInvocation"/>).</summary>
/// <remarks>
/// <para>Ownership: from <see cref="Start"/> until the end of <see cref="RunAsync"/> the invocation belongs to that one
/// request; then it goes back to its session and nothing else keeps it: the session forgets it (under its lock) before
/// it ends, the thread pool or the reader's staging list drop it once they have run it.</para>
/// <para>A two-way handler's cancellation source is reset and reused only when no canceller ever looked it up
/// (<see cref="CancelClaimed"/>, set under the session's lock before a cancel) and it had no deadline timer; a
/// remote cancel arriving late therefore finds nothing or a source that is never reused, and cannot cancel a later
/// request. A handler's token is valid while the handler runs: keeping it for work that outlives the handler is not
/// supported.</para>
/// </remarks>
internal sealed class HandlerInvocation : IThreadPoolWorkItem, ISpareItem<HandlerInvocation>
{
    private readonly ServerSession _session;

    /// <summary>The request of the current run.</summary>
    private Message _request = null!;

    /// <summary>The function: a two-way <c>Func&lt;Message, CancellationToken, ValueTask&lt;Message&gt;&gt;</c> or a
    /// one-way <c>Func&lt;Message, CancellationToken, ValueTask&gt;</c>.</summary>
    private Delegate _handler = null!;

    /// <summary>What the request holds of its connection's limits until the handler ends.</summary>
    private RpcConnection.HeldRequest _held;

    /// <summary>The two-way request's call ID, under which <see cref="Scope"/> is registered with the session.</summary>
    private CallIds.Running _callId;

    /// <summary>A source without a timer that outlives one run: reset after a run that nobody cancelled, then used
    /// again.</summary>
    private CancellationTokenSource? _reusableSource;

    /// <param name="session">The session this invocation serves, for all its runs.</param>
    public HandlerInvocation(ServerSession session)
    {
        _session = session;
    }

    /// <inheritdoc />
    public HandlerInvocation? NextSpare { get; set; }

    /// <summary>The two-way handler's cancellation in the current run (the reusable source, or one with a timer for a
    /// request with a deadline); registered under its call ID when the request is dispatched (on the reader loop), so
    /// that a cancel that overtakes a slow start still finds it. Null for a one-way run.</summary>
    public CancellationTokenSource? Scope { get; private set; }

    /// <summary>Set (under the session's lock) once a canceller has looked <see cref="Scope"/> up: the source may be
    /// cancelled at any moment from then on, so it is not reused.</summary>
    public bool CancelClaimed { get; set; }

    /// <summary>Prepares an invocation of <paramref name="twoWay"/> or <paramref name="oneWay"/> for
    /// <paramref name="request"/>, reusing one of the session's.</summary>
    public static HandlerInvocation Start(ServerSession session, Message request,
        Func<Message, CancellationToken, ValueTask<Message>>? twoWay, Func<Message, CancellationToken, ValueTask>? oneWay)
    {
        Delegate handler = (Delegate?)twoWay ?? oneWay ?? throw new ArgumentException("A handler is needed.");
        HandlerInvocation invocation = session.RentInvocation();
        invocation.Begin(request, handler, twoWay is not null);
        return invocation;
    }

    private void Begin(Message request, Delegate handler, bool twoWay)
    {
        _request = request;
        _handler = handler;
        // Nobody else sees this invocation yet; the session's lock in BeginHandler publishes the reset.
        CancelClaimed = false;
        // Counted until the handler finishes, so that a client cannot queue unbounded work behind slow handlers.
        _held = _session.Connection.HoldForHandler(request);
        if (!twoWay)
        {
            Scope = null;
            return;
        }
        MessageHeader hdr = request.Header;
        TimeProvider timeProvider = _session.Server.Endpoint.TimeProvider;
        _callId = new CallIds.Running(hdr.CallIdKey, hdr.SequenceNumber);
        Scope = hdr.Deadline is { } deadline && TimerRange.NotBefore(deadline, timeProvider.GetUtcNow(), timeProvider) is { } left
            ? new CancellationTokenSource(left, timeProvider)
            : _reusableSource ??= new CancellationTokenSource();
        if (!_session.BeginHandler(_callId, this))
        {
            Scope.Cancel();
        }
    }

    /// <summary>Unregisters the ended two-way run's source from the session and resets it for the next run, or
    /// lets it go (disposed) when it had a timer or a canceller may still hold it.</summary>
    private void EndTwoWay()
    {
        bool unclaimed = _session.EndHandler(_callId, this);
        CancellationTokenSource scope = Scope!;
        Scope = null;
        if (!ReferenceEquals(scope, _reusableSource))
        {
            scope.Dispose();
        }
        else if (!unclaimed || !scope.TryReset())
        {
            _reusableSource = null;
            scope.Dispose();
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
            _request = null!;
            _handler = null!;
            _held = default;
            _session.Recycle(this);
        }
    }

    private async Task RunTwoWayAsync(Func<Message, CancellationToken, ValueTask<Message>> handler)
    {
        MessageHeader hdr = _request.Header;
        EndpointContext endpoint = _session.Server.Endpoint;
        // The request's header fields that the reply echoes, read before the handler may reuse the request as its reply.
        (object callId, ulong sequenceNumber, DateTimeOffset? deadline, string serviceName, string subject) =
            (hdr.CallIdKey, hdr.SequenceNumber, hdr.Deadline, hdr.ServiceName, hdr.Subject);
        CancellationTokenSource scope = Scope!;
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
            EndTwoWay();
            Diagnostics.RpcMetrics.EndCall(measured, endpoint.TimeProvider, serviceName, outcome);
            Diagnostics.RpcTracing.Stop(span, outcome);
        }
        MessageHeader replyHdr = reply.Header;
        replyHdr.CallType = CallType.Reply;
        replyHdr.SequenceNumber = sequenceNumber;
        replyHdr.CallIdKey = callId;
        replyHdr.Deadline = deadline;
        replyHdr.StreamPart = 0;
        replyHdr.Created = default;
        // ServiceName and FromServiceName are the request's; Subject too unless the handler set one.
        HeaderStrings strings = replyHdr.Strings;
        replyHdr.Strings = _session.ReplyStrings(strings.From, strings.To, serviceName,
            strings.Subject.Length == 0 ? subject : strings.Subject);
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
