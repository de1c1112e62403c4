using System.Diagnostics;
using Rpc25519.Messages;

namespace Rpc25519.Diagnostics;

/// <summary>Spans for calls and handlers (see <see cref="RpcDiagnostics.ActivitySourceName"/>). With no listener,
/// nothing is started and no header argument is added.</summary>
internal static class RpcTracing
{
    private static readonly ActivitySource Source = new(RpcDiagnostics.ActivitySourceName,
        typeof(RpcTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Whether anyone listens to the source (then calls take their observed path).</summary>
    public static bool IsListening => Source.HasListeners();

    /// <summary>Starts the client span of a call and puts its trace context in the request; null when nobody
    /// listens.</summary>
    public static Activity? StartCall(Message request)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        Activity? activity = Source.StartActivity(request.Header.ServiceName, ActivityKind.Client);
        if (activity is not null)
        {
            Tag(activity, request.Header.ServiceName);
            request.Header.Args[RpcDiagnostics.TraceParentArg] = activity.Id!;
        }
        return activity;
    }

    /// <summary>Starts the server span of a handler, as a child of the caller's span when the request carries one.</summary>
    public static Activity? StartHandler(Message request)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        string? parent = null;
        if (request.Header.HasArgs)
        {
            request.Header.Args.TryGetValue(RpcDiagnostics.TraceParentArg, out parent);
        }
        Activity? activity = Source.StartActivity(request.Header.ServiceName, ActivityKind.Server, parent);
        if (activity is not null)
        {
            Tag(activity, request.Header.ServiceName);
        }
        return activity;
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
