using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Changes;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Collects a watch's changes on the client node until cancelled.</summary>
internal sealed class WatchCollector
{
    private readonly List<ChangeEvent> seen = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;
    private readonly SimTubeCluster cluster;

    public WatchCollector(SimTubeCluster cluster, TubeClient client, string table, string keyOrPrefix, long fromIndex,
        bool prefix, string machine = TubeClient.KvMachine)
    {
        this.cluster = cluster;
        running = cluster.OnClient(async () =>
        {
            try
            {
                byte[] key = Encoding.UTF8.GetBytes(keyOrPrefix);
                await foreach (ChangeEvent change in client.WatchMachineAsync(machine, table, key, fromIndex, prefix,
                                   stop.Token))
                {
                    lock (seen)
                    {
                        seen.Add(change);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped by the test.
            }
        });
    }

    public List<ChangeEvent> Seen
    {
        get
        {
            lock (seen)
            {
                return [.. seen];
            }
        }
    }

    /// <summary>The key-level changes only (the table's creation is reported to every watcher of it).</summary>
    public List<ChangeEvent> KeyChanges => [.. Seen.Where(c => c.Key.Length > 0)];

    public Task Failure => running;

    public async Task WaitForAsync(SimTubeCluster cluster, Func<List<ChangeEvent>, bool> done)
    {
        DateTimeOffset end = cluster.Clock.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (!done(Seen))
        {
            if (running.IsCompleted)
            {
                await running; // surfaces the watch's exception
                throw new InvalidOperationException("the watch ended early");
            }

            Assert.True(cluster.Clock.GetUtcNow() < end,
                $"the watch did not see the expected changes in time; saw {Seen.Count}");
            await cluster.DelayAsync(cluster.Tick);
        }
    }

    public async Task StopAsync()
    {
        // Cancelled on the client node, where the watch's calls run.
        await cluster.OnClient(() =>
        {
            stop.Cancel();
            return Task.CompletedTask;
        });
        await running;
        stop.Dispose();
    }
}
