using System.Collections.Concurrent;
using System.Diagnostics;
using Rpc25519.Diagnostics;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Diagnostics;

/// <summary>A call makes a client span and its handler a server span in the same trace (issue 17, item 3).</summary>
[Collection(GlobalListenersCollection.Name)]
public sealed class TracingTests
{
    [Fact]
    public async Task The_handlers_span_is_a_child_of_the_callers_span_across_the_connection()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RpcDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        string? traceInHandler = null;
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("traced-echo", (request, _) =>
        {
            traceInHandler = Activity.Current?.TraceId.ToString();
            return ValueTask.FromResult(request);
        }));
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            await client.CallAsync(Loopback.Request("traced-echo", "x"));
        }

        Activity call = stopped.Single(a => a.Kind == ActivityKind.Client && a.OperationName == "traced-echo");
        Activity handler = stopped.Single(a => a.Kind == ActivityKind.Server && a.OperationName == "traced-echo");
        Assert.Equal(call.TraceId, handler.TraceId);
        Assert.Equal(call.SpanId, handler.ParentSpanId);
        Assert.Equal(call.TraceId.ToString(), traceInHandler);
        Assert.Equal("ok", call.GetTagItem("rpc25519.outcome"));
        Assert.Equal("rpc25519", handler.GetTagItem("rpc.system"));
    }
}
