using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Bench;

/// <summary>
/// Message round trips a lagging follower needs to catch up after missing 10,000 entries, counted from the first
/// heartbeat after the partition heals until its log and commit index equal the leader's. One round trip is one
/// delivery of everything the leader sent plus one delivery of everything the follower answered.
/// </summary>
internal static class CatchUp
{
    public static void Run()
    {
        Measure(entries: 10_000, compact: false);
        Measure(entries: 10_000, compact: true);
    }

    private static void Measure(int entries, bool compact)
    {
        var cluster = new TestCluster(voters: 3, seed: 3, configure: o => o.UncommittedEntriesMax = 100_000);
        ulong leader = cluster.ElectLeader();
        ulong lagging = leader == 3 ? 2UL : 3UL;
        cluster.Isolate(lagging);
        var payload = new byte[64];
        for (int i = 0; i < entries; i++)
        {
            cluster.Node(leader).Propose(payload);
            if (i % 1_000 == 999)
            {
                cluster.Stabilize();
            }
        }

        cluster.Stabilize();
        if (compact)
        {
            var node = cluster.Node(leader);
            node.Compact(node.AppliedIndex, new byte[1 << 20]);
        }

        cluster.Heal();
        foreach (var host in cluster.Hosts)
        {
            host.Node.Tick(); // One tick: the leader's heartbeat goes out.
        }

        int roundTrips = 0;
        while (cluster.Node(lagging).LastIndex != cluster.Node(leader).LastIndex
               || cluster.Node(lagging).CommitIndex != cluster.Node(leader).CommitIndex)
        {
            if (++roundTrips > 1_000)
            {
                throw new InvalidOperationException("no catch-up within 1,000 round trips");
            }

            cluster.Process();
            cluster.DeliverAll(m => m.From == leader);
            cluster.Process();
            cluster.DeliverAll(m => m.To == leader);
            cluster.Process();
        }

        int appends = cluster.Sent.Count(m => m.To == lagging && m.Type == RaftMessageType.Append);
        Console.WriteLine($"catch-up: {entries:N0} missed entries{(compact ? " behind a 1 MiB snapshot" : "")}: " +
            $"{roundTrips} round trips (window {64} x {256} entries per message; {appends} appends in total)");
    }
}
