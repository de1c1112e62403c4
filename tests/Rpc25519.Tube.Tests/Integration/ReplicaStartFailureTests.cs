using System.Net;
using System.Net.Sockets;
using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Starts that must fail on real files and sockets (a locked or corrupted directory, bad settings, a port in
/// use) and what they leave behind: the error names the problem, no port listens, the directory can be opened again,
/// and the replicas already running go on serving.</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class ReplicaStartFailureTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task ADirectoryAnotherReplicaHoldsIsRefusedAndThatReplicaGoesOn()
    {
        await using var cluster = new FileCluster();
        await cluster.StartAllAsync();
        await using TubeClient client = cluster.NewClient();
        await client.PutAsync("t", B("k"), B("v1"));

        var locked = await Assert.ThrowsAsync<StorageLockedException>(() => cluster.OpenStorageAsync(2));
        Assert.Contains(cluster.DataDirectory(2), locked.Message, StringComparison.Ordinal);

        // Replica 2 keeps its directory and its part: with replica 1 gone, writes need it.
        await cluster.StopAsync(1);
        Assert.Equal(2, (await client.PutAsync("t", B("k"), B("v2"))).Version);
        await cluster.WaitConvergedAsync();
    }

    [Fact]
    public async Task TheConfigStartOnADirectoryInUseIsRefusedWithoutListening()
    {
        using var dir = new LoopbackDirectory("tube-files-");
        string first = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        TubeConfig config = TubeConfigFile.Load(dir.WriteTubeConfig("c", "a", new Dictionary<string, string> { ["a"] = first }));
        await using TubeReplica running = await TubeConfigFile.StartReplicaAsync(config);

        string second = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        config.Node2Addr["a"] = second;
        var locked = await Assert.ThrowsAsync<StorageLockedException>(() => TubeConfigFile.StartReplicaAsync(config));
        Assert.Contains(config.ResolveDataDirectory(), locked.Message, StringComparison.Ordinal);
        Assert.True(FileCluster.PortIsFree(second), "a refused start left its port listening");
        Assert.False(running.Completion.IsCompleted, "the running replica stopped");
        Assert.NotEqual(0ul, (await running.GetStatusAsync()).NodeId);
    }

    [Fact]
    public async Task AFlippedByteInAClosedSegmentStopsTheStartWithTheFileAndOffset()
    {
        await using var cluster = new FileCluster();
        await cluster.StartAllAsync();
        await using TubeClient client = cluster.NewClient();
        await WriteUntilSegmentsAsync(cluster, client, id: 3, segments: 3);
        await cluster.WaitConvergedAsync();
        await cluster.StopAsync(3);

        string[] segments = cluster.Segments(3);
        string damaged = segments[0];
        long flipped = new FileInfo(damaged).Length / 2;
        FlipByte(damaged, flipped);

        var corrupted = await Assert.ThrowsAsync<StorageCorruptedException>(() => cluster.StartAsync(3));
        Assert.Equal(damaged, corrupted.FilePath);
        Assert.InRange(corrupted.Offset, 48, flipped);
        Assert.Contains(Path.GetFileName(damaged), corrupted.Message, StringComparison.Ordinal);
        Assert.True(FileCluster.PortIsFree(cluster.Members[3]), "a refused start left its port listening");
        Assert.Equal(1, (await client.PutAsync("t", B("after"), B("x"))).Version);
    }

    [Fact]
    public async Task ATornTailIsCutAndTheClusterKeepsEveryAcknowledgedWrite()
    {
        await using var cluster = new FileCluster();
        await cluster.StartAllAsync();
        await using TubeClient client = cluster.NewClient();
        int written = await WriteUntilSegmentsAsync(cluster, client, id: 2, segments: 2);
        await cluster.WaitConvergedAsync();
        await cluster.StopAsync(2);

        string last = cluster.Segments(2)[^1];
        using (var file = new FileStream(last, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length - 7);
        }

        await cluster.StartAsync(2);
        await cluster.StopAsync(1);
        await cluster.StopAsync(3);
        await cluster.StartAsync(3);
        for (int i = 0; i < written; i++)
        {
            KvItem? item = await client.GetAsync("t", B($"k{i}"));
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(item!.Value!));
        }
    }

    [Fact]
    public async Task AMemberListWithoutThisReplicaIsRefusedAndLeavesNothingOpen()
    {
        await using var cluster = new FileCluster();
        FileRaftStorage storage = await cluster.OpenStorageAsync(1);
        TubeReplicaOptions options = cluster.Options(1, storage);
        options.Members.Remove(1);
        options.Rpc.ListenAddress = cluster.Members[1];

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => TubeReplica.StartAsync(options));
        Assert.Contains("Members", refused.Message, StringComparison.Ordinal);
        await AssertNothingLeftAsync(cluster, 1);
    }

    [Fact]
    public async Task APortInUseFailsTheStartAndReleasesTheDirectory()
    {
        await using var cluster = new FileCluster();
        var squatter = new TcpListener(IPAddress.Loopback, IPEndPoint.Parse(cluster.Members[1]).Port);
        squatter.Start();
        try
        {
            FileRaftStorage storage = await cluster.OpenStorageAsync(1);
            var failed = await Assert.ThrowsAsync<RpcTransportException>(
                () => TubeReplica.StartAsync(cluster.Options(1, storage)));
            Assert.Contains(cluster.Members[1], failed.Message, StringComparison.Ordinal);
        }
        finally
        {
            squatter.Stop();
        }

        await AssertNothingLeftAsync(cluster, 1);
    }

    [Fact]
    public async Task UnreachableAndMalformedPeerAddressesDoNotStopTheOthers()
    {
        await using var cluster = new FileCluster
        {
            Configure = o => o.Members[3] = o.NodeId == 1 ? "127.0.0.1:1" : "no such address",
        };
        await cluster.StartAsync(1);
        await cluster.StartAsync(2);
        await using TubeClient client = cluster.NewClient(1, 2);
        Assert.Equal(1, (await client.PutAsync("t", B("k"), B("v"))).Version);
        foreach (TubeReplica replica in cluster.Running.Values)
        {
            Assert.False(replica.Completion.IsCompleted, "a replica stopped on a bad peer address");
        }
    }

    /// <summary>The port is free, and the directory opens again (the failed start released its lock).</summary>
    private static async Task AssertNothingLeftAsync(FileCluster cluster, ulong id)
    {
        Assert.True(FileCluster.PortIsFree(cluster.Members[id]), "a refused start left its port listening");
        await using FileRaftStorage again = await cluster.OpenStorageAsync(id);
    }

    /// <summary>Writes keys k0, k1, … (value vI) until node <paramref name="id"/> has at least
    /// <paramref name="segments"/> segment files; returns how many were written.</summary>
    private static async Task<int> WriteUntilSegmentsAsync(FileCluster cluster, TubeClient client, ulong id,
        int segments)
    {
        int n = 0;
        while (cluster.Segments(id).Length < segments)
        {
            Assert.True(n < 400, "400 writes and still too few segments");
            await client.PutAsync("t", B($"k{n}"), B($"v{n}"));
            n++;
        }

        return n;
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x5A));
    }
}
