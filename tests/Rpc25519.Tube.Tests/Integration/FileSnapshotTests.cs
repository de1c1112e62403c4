using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Compaction on real files: the snapshot file appears and the segments it covers go, every replica
/// restarted from those directories serves every key, and a member added under a new id on an empty directory
/// catches up through the snapshot.</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class FileSnapshotTests
{
    private const int Keys = 80;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task CompactedDirectoriesRestartWholeAndANewEmptyMemberCatchesUpBySnapshot()
    {
        await using var cluster = new FileCluster { Configure = o => o.SnapshotEveryEntries = 20 };
        await cluster.StartAllAsync();
        await using TubeClient client = cluster.NewClient();
        await client.PutAsync("t", B("k0"), B("v0"));
        var early = cluster.Members.Keys.SelectMany(id => cluster.Segments(id)).ToList();
        for (int i = 1; i < Keys; i++)
        {
            await client.PutAsync("t", B($"k{i}"), B($"v{i}"));
        }

        await cluster.WaitConvergedAsync();
        foreach (ulong id in cluster.Members.Keys)
        {
            Assert.True((await cluster.Running[id].GetStatusAsync()).SnapshotIndex > 0, $"node {id} never compacted");
            Assert.True(File.Exists(Path.Combine(cluster.DataDirectory(id), "snapshot")), $"node {id} has no snapshot");
        }

        Assert.All(early, segment => Assert.False(File.Exists(segment), $"{segment} outlived its snapshot"));

        await cluster.StopAllAsync();
        await cluster.StartAllAsync();
        await AssertEveryKeyAsync(client);

        // Node 4 joins with an empty directory; the others' logs no longer reach back to index 1.
        cluster.Members[4] = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        TubeReplicaOptions joining = cluster.Options(4, await cluster.OpenStorageAsync(4));
        joining.InitialVoters = [1, 2, 3];
        cluster.Running[4] = await TubeReplica.StartAsync(joining);
        await client.ChangeMembershipAsync(MembershipChangeKind.AddVoter, 4, cluster.Members[4]);
        await cluster.WaitConvergedAsync();
        TubeStatus joined = await cluster.Running[4].GetStatusAsync();
        Assert.Contains(4ul, joined.Voters);
        Assert.True(joined.SnapshotIndex > 0, "node 4 caught up without a snapshot");
        Assert.True(File.Exists(Path.Combine(cluster.DataDirectory(4), "snapshot")), "node 4 stored no snapshot");

        // Node 4 serves the keys on its own, with two of the old members gone.
        await cluster.StopAsync(1);
        await cluster.StopAsync(2);
        await cluster.StartAsync(2);
        await using TubeClient direct = cluster.NewClient(4);
        await AssertEveryKeyAsync(direct);
    }

    private static async Task AssertEveryKeyAsync(TubeClient client)
    {
        for (int i = 0; i < Keys; i++)
        {
            KvItem? item = await client.GetAsync("t", B($"k{i}"));
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(item!.Value!));
        }
    }
}
