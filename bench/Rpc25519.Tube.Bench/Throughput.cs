using System.Diagnostics;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Bench;

/// <summary>
/// In-memory proposals committed per second: no disk, no network, no faults; the host loop is the test harness's
/// (persist to an in-memory list, deliver every message each round). Measures the core plus that loop.
/// </summary>
internal static class Throughput
{
    public static void Run()
    {
        Measure(3, 64, 1.0); // Warm-up: let tiered compilation settle before anything is reported.
        foreach (int voters in new[] { 3, 5 })
        {
            foreach (int batch in new[] { 1, 64, 1024 })
            {
                var runs = Enumerable.Range(0, 3).Select(_ => Measure(voters, batch, 0.7)).Order().ToArray();
                Console.WriteLine($"throughput: {voters} nodes, {batch,5} proposals per round: " +
                    $"{runs[1],12:N0} committed/s (median of 3; {runs[0]:N0} .. {runs[2]:N0})");
            }
        }
    }

    /// <summary>Each round: propose <paramref name="batch"/> commands, then process and deliver once
    /// (pipelined).</summary>
    private static double Measure(int voters, int batch, double seconds)
    {
        var cluster = new TestCluster(voters, configure: o => o.UncommittedEntriesMax = 1_000_000, seed: 7);
        ulong leader = cluster.ElectLeader();
        cluster.RecordSent = false;
        var payload = new byte[64];
        long committedBefore = cluster.Node(leader).CommitIndex;
        var clock = Stopwatch.StartNew();
        long rounds = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < batch; i++)
            {
                cluster.Node(leader).Propose(payload);
            }

            cluster.Process();
            cluster.DeliverAll();
            rounds++;
            if (rounds % 64 == 0)
            {
                CompactAll(cluster); // Like a real host: keep the in-memory log bounded.
            }
        }

        cluster.Stabilize();
        clock.Stop();
        long committed = cluster.Node(leader).CommitIndex - committedBefore;
        if (cluster.Node(leader).Role != RaftRole.Leader)
        {
            throw new InvalidOperationException("leadership changed during the benchmark");
        }

        return committed / clock.Elapsed.TotalSeconds;
    }

    private static void CompactAll(TestCluster cluster)
    {
        foreach (var host in cluster.Hosts)
        {
            var node = host.Node;
            if (node.AppliedIndex - node.SnapshotIndex > 4_096)
            {
                host.Storage.Compact(node.Compact(node.AppliedIndex, ReadOnlyMemory<byte>.Empty));
            }
        }
    }
}
