using Rpc25519.Tools.Tube;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Tools;

/// <summary><c>tube -metrics SECONDS</c> prints the replica's metrics periodically while it serves; a bad interval is a
/// bad command line (exit 2).</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class TubeMetricsToolTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly LoopbackDirectory dir = new("tube-metrics-tool-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Metrics_are_printed_every_interval_while_the_replica_serves()
    {
        string address = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        string config = Path.Combine(dir.Root, "solo.cfg");
        await File.WriteAllTextAsync(config, "(tubeConfig\n  ClusterID: \"metrics-test\"\n  MyName: \"solo\"\n" +
            $"  Node2Addr: (hash \"solo\":\"{address}\")\n  DataDir: \"{Path.Combine(dir.Root, "data")}\"\n" +
            "  HeartbeatDur: (dur \"50ms\")\n  MinElectionDur: (dur \"500ms\")\n  ClockDriftBound: (dur \"20ms\")\n)\n");
        var output = new LockedWriter();
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource<TubeReplica>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringWriter();
        Task<int> run = TubeCommand.RunAsync(["-config", config, "-tcp", "-metrics", "0.2"], output, errors,
            replica => started.TrySetResult(replica), stop.Token);
        await Task.WhenAny(started.Task, run).WaitAsync(Patience);
        Assert.True(started.Task.IsCompleted, $"tube exited early: {errors}");
        await using (var client = new TubeClient(new TubeClientOptions
        {
            Members = [address], Rpc = new RpcOptions { Transport = TransportKind.Tcp }, OperationTimeout = Patience,
        }))
        {
            await client.PutAsync("t", [1], [2]);
        }

        using var deadline = new CancellationTokenSource(Patience);
        while (!(output.ToString().Contains("tube.commit.duration", StringComparison.Ordinal)
            && output.ToString().Contains("tube.leader.changes", StringComparison.Ordinal)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(Patience));

        string text = output.ToString();
        Assert.Contains("tube metrics, last 0.2 s", text, StringComparison.Ordinal);
        Assert.Matches(@"tube\.leader\s+node \d+\s+1\n", text);
        Assert.Matches(@"tube\.commit\.duration\s+node \d+\s+[1-9]\d* × mean [\d.]+ ms, max [\d.]+ ms", text);
        Assert.Matches(@"tube\.applied\.index\s+node \d+\s+[1-9]", text);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    public async Task A_bad_interval_is_a_bad_command_line(string seconds)
    {
        var errors = new StringWriter();
        int code = await TubeCommand.RunAsync(["-config", "x.cfg", "-metrics", seconds], new StringWriter(), errors,
            null, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("-metrics takes a number of seconds", errors.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A writer the printer and the test can share across threads.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock gate = new();

        public override void Write(char value)
        {
            lock (gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (gate)
            {
                base.Write(value);
            }
        }

        public override string ToString()
        {
            lock (gate)
            {
                return base.ToString();
            }
        }
    }
}
