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
        foreach (int voters in new[] { 3, 5 })
        {
            Measure(voters, batch: 1, seconds: 1.0);
            Measure(voters, batch: 64, seconds: 1.5);
            Measure(voters, batch: 1024, seconds: 1.5);
        }
    }

    /// <summary>Each round: propose <paramref name="batch"/> commands, then process and deliver once
    /// (pipelined).</summary>
    private static void Measure(int voters, int batch, double seconds)
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
        }

        cluster.Stabilize();
        clock.Stop();
        long committed = cluster.Node(leader).CommitIndex - committedBefore;
        if (cluster.Node(leader).Role != RaftRole.Leader)
        {
            throw new InvalidOperationException("leadership changed during the benchmark");
        }

        double perSecond = committed / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"throughput: {voters} nodes, {batch,5} proposals per round: " +
            $"{perSecond,12:N0} committed/s ({committed:N0} in {clock.Elapsed.TotalSeconds:F2} s, {rounds:N0} rounds)");
    }
}
