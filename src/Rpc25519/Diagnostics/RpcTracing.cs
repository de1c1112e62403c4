using System.Diagnostics;
using Rpc25519.Messages;

namespace Rpc25519.Diagnostics;

/// <summary>Spans for calls and handlers, one-way sends, stream openings and circuits (see
/// <see cref="RpcDiagnostics.ActivitySourceName"/>). With no listener, nothing is started and no header argument is
/// added.</summary>
internal static class RpcTracing
{
    private static readonly ActivitySource Source = new(RpcDiagnostics.ActivitySourceName,
        typeof(RpcTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Whether anyone listens to the source (then calls take their observed path).</summary>
    public static bool IsListening => Source.HasListeners();

    /// <summary>Starts the client span of a call and puts its trace context in the request; null when nobody
    /// listens.</summary>
    public static Activity? StartCall(Message request) =>
        StartOutgoing(request.Header, request.Header.ServiceName, ActivityKind.Client, null);

    /// <summary>Starts the producer span of a one-way send and puts its trace context in the message; null when
    /// nobody listens.</summary>
    public static Activity? StartSend(Message message) => StartOutgoing(message.Header, message.Header.ServiceName,
        ActivityKind.Producer, null);

    /// <summary>Starts the client span of a stream's opening (<paramref name="kind"/> = upload | download |
    /// bistream), from the call until its first message is queued, and puts its trace context in that message, so
    /// the server's span for the stream function is its child; null when nobody listens.</summary>
    public static Activity? StartStream(Message first, string serviceName, string kind) =>
        StartOutgoing(first.Header, serviceName, ActivityKind.Client, kind);

    /// <summary>Starts the server span of a handler (a consumer span for a one-way message), as a child of the
    /// caller's span when the request carries one.</summary>
    public static Activity? StartHandler(Message request, bool oneWay = false)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        Activity? activity = Source.StartActivity(request.Header.ServiceName,
            oneWay ? ActivityKind.Consumer : ActivityKind.Server, ParentOf(request.Header));
        if (activity is not null)
        {
            Tag(activity, request.Header.ServiceName);
        }
        return activity;
    }

    /// <summary>The name of every circuit span (the circuit's own name is a tag: it is chosen per circuit).</summary>
    public const string CircuitSpanName = "rpc25519.circuit";

    /// <summary>Starts the span of a circuit this side opens, which lasts until the circuit closes
    /// (<see cref="StopCircuit"/>), and puts its trace context in the open message. It is left as
    /// <see cref="Activity.Current"/> only for the opening itself: the caller's async flow restores its own.</summary>
    public static Activity? StartCircuitOpen(Message open, string circuitName, string remoteServiceName)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        Activity? activity = Source.StartActivity(CircuitSpanName, ActivityKind.Client);
        if (activity is not null)
        {
            TagCircuit(activity, circuitName, remoteServiceName, "open");
            open.Header.Args[RpcDiagnostics.TraceParentArg] = activity.Id!;
        }
        return activity;
    }

    /// <summary>Starts the span of a circuit a remote opened here, as a child of the opener's span; it lasts until the
    /// circuit closes. Runs on the reader loop, so <see cref="Activity.Current"/> is put back at once.</summary>
    public static Activity? StartCircuitAccept(MessageHeader open, string circuitName, string localServiceName)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        Activity? previous = Activity.Current;
        Activity? activity = Source.StartActivity(CircuitSpanName, ActivityKind.Server, ParentOf(open));
        Activity.Current = previous;
        if (activity is not null)
        {
            TagCircuit(activity, circuitName, localServiceName, "accept");
        }
        return activity;
    }

    /// <summary>Ends a circuit's span with why it closed; leaves <see cref="Activity.Current"/> as it was (a circuit
    /// closes on whatever flow noticed).</summary>
    public static void StopCircuit(Activity? activity, string reason, bool failed)
    {
        if (activity is null)
        {
            return;
        }
        Activity? previous = Activity.Current;
        activity.SetTag("rpc25519.circuit.close_reason", reason);
        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error, reason);
        }
        activity.Dispose();
        Activity.Current = previous;
    }

    private static Activity? StartOutgoing(MessageHeader header, string serviceName, ActivityKind kind, string? stream)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        Activity? activity = Source.StartActivity(serviceName, kind);
        if (activity is not null)
        {
            Tag(activity, serviceName);
            if (stream is not null)
            {
                activity.SetTag("rpc25519.stream", stream);
            }
            header.Args[RpcDiagnostics.TraceParentArg] = activity.Id!;
        }
        return activity;
    }

    private static string? ParentOf(MessageHeader header) =>
        header.HasArgs && header.Args.TryGetValue(RpcDiagnostics.TraceParentArg, out string? parent) ? parent : null;

    private static void TagCircuit(Activity activity, string circuitName, string serviceName, string role)
    {
        activity.SetTag("rpc.system", "rpc25519");
        activity.SetTag("rpc25519.circuit.name", circuitName);
        activity.SetTag("rpc25519.circuit.role", role);
        activity.SetTag("rpc25519.peer.service", serviceName);
    }

    /// <summary>Awaits <paramref name="operation"/> inside <paramref name="span"/> (started before the operation, so
    /// that its trace context is in the message) and ends the span with the outcome; without a span, returns the
    /// operation itself.</summary>
    public static ValueTask Traced(Activity? span, ValueTask operation) =>
        span is null ? operation : TracedSlowAsync(span, operation);

    private static async ValueTask TracedSlowAsync(Activity span, ValueTask operation)
    {
        string outcome = "ok";
        try
        {
            await operation;
        }
        catch (Exception e)
        {
            outcome = RpcMetrics.OutcomeOf(e);
            throw;
        }
        finally
        {
            Stop(span, outcome);
        }
    }

    /// <summary>Ends a span with the call's outcome.</summary>
    public static void Stop(Activity? activity, string outcome)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("rpc25519.outcome", outcome);
        if (outcome != "ok")
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome);
        }
        activity.Dispose();
    }

    private static void Tag(Activity activity, string serviceName)
    {
        int dot = serviceName.LastIndexOf('.');
        activity.SetTag("rpc.system", "rpc25519");
        activity.SetTag("rpc.service", dot > 0 ? serviceName[..dot] : serviceName);
        activity.SetTag("rpc.method", dot > 0 ? serviceName[(dot + 1)..] : "");
    }
}
