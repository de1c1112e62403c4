using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rpc25519.Diagnostics;
using Rpc25519.Messages;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Diagnostics;

/// <summary>The per-call counters (<c>rpc25519.calls.started</c>, <c>.active</c>, <c>.completed</c>) report what
/// happened, filtered by each test's own service names (other tests run in parallel in the same process).</summary>
public sealed class CallMetricsTests
{
    private static double Sum(IEnumerable<Measurement> all, string instrument, string service, string side) =>
        all.Where(m => m.Instrument == instrument && m.Tag("rpc.service") == service && m.Tag("rpc25519.side") == side)
            .Sum(m => m.Value);

    /// <summary>A server whose handler <paramref name="service"/> signals <c>Entered</c> and then waits for
    /// <c>Release</c>.</summary>
    internal static async Task<(RpcServer Server, int Port, TaskCompletionSource Entered, TaskCompletionSource Release)>
        StartHeldServerAsync(string service)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall(service, async (request, _) =>
        {
            entered.SetResult();
            await release.Task;
            return request;
        }));
        return (server, port, entered, release);
    }

    [Fact]
    public async Task A_call_is_in_flight_on_both_sides_while_its_handler_runs_and_not_after()
    {
        var seen = new ConcurrentQueue<Measurement>();
        using MeterListener listener = MeterCapture.Listen(seen, RpcDiagnostics.MeterName);
        var (server, port, entered, release) = await StartHeldServerAsync("inflight-slow");
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            Task<Message> call = client.CallAsync(Loopback.Request("inflight-slow"));
            await entered.Task.WaitAsync(Loopback.Patience);

            Assert.Equal(1, Sum(seen, "rpc25519.calls.active", "inflight-slow", "client"));
            Assert.Equal(1, Sum(seen, "rpc25519.calls.active", "inflight-slow", "server"));
            Assert.Equal(0, Sum(seen, "rpc25519.calls.completed", "inflight-slow", "client"));

            release.SetResult();
            await call.WaitAsync(Loopback.Patience);
        }

        Assert.Equal(0, Sum(seen, "rpc25519.calls.active", "inflight-slow", "client"));
        Assert.Equal(0, Sum(seen, "rpc25519.calls.active", "inflight-slow", "server"));
        Assert.Equal(1, Sum(seen, "rpc25519.calls.started", "inflight-slow", "client"));
        Assert.Equal(1, Sum(seen, "rpc25519.calls.started", "inflight-slow", "server"));
    }
}
