using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Three replicas in this process on real loopback sockets with TLS and real files (fsync on), and a
/// TubeClient: elect, write, read, stop the leader, restart it from its files.</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class TubeLoopbackTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly LoopbackDirectory dir = new("tube-loopback-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task ThreeReplicasOverTlsWithFileStorage()
    {
        SortedDictionary<ulong, string> members = LoopbackMembers();
        var replicas = new TubeReplica?[3];
        try
        {
            await StartAllAsync(replicas, members);

            await using TubeClient client = NewClient(members, followerReplies: false);
            KvItem put = await client.PutAsync("t", B("k"), B("v1"));
            Assert.Equal(1, put.Version);
            Assert.Equal("v1", S((await client.GetAsync("t", B("k")))!.Value!));
            Assert.Equal("v1", S((await client.GetAsync("t", B("k"), ReadMode.Lease))!.Value!));

            int leader = await LeaderAsync(replicas);
            await replicas[leader]!.DisposeAsync();
            replicas[leader] = null;
            try
            {
                await client.PutAsync("t", B("k"), B("v2"));
            }
            catch (Exception e)
            {
                var lines = new List<string>();
                foreach (var r in replicas)
                {
                    if (r is not null)
                    {
                        lines.Add((await r.GetStatusAsync()).ToString());
                    }
                }

                Assert.Fail(e.Message + "\n" + string.Join("\n", lines));
            }
            replicas[leader] = await StartAsync(leader, members);
            await client.PutAsync("t", B("k"), B("v3"));

            // The restarted replica catches up: a stale read there eventually sees the last write.
            using var deadline = new CancellationTokenSource(Patience);
            while (true)
            {
                var status = await replicas[leader]!.GetStatusAsync();
                var leaderStatus = await replicas[(leader + 1) % 3]!.GetStatusAsync();
                if (status.AppliedIndex >= leaderStatus.CommitIndex && leaderStatus.CommitIndex > 0
                    && status.LeaderId != 0)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }

            await using var direct = new TubeClient(new TubeClientOptions
            {
                Members = [members[(ulong)leader + 1]], Rpc = Rpc(), OperationTimeout = Patience,
            });
            KvItem? item = await direct.GetAsync("t", B("k"), ReadMode.Linearizable);
            Assert.Equal("v3", S(item!.Value!));
            Assert.Equal(3, item.Version);
        }
        finally
        {
            await StopAllAsync(replicas);
        }
    }

    [Fact]
    public async Task FollowerRepliesOverTlsWithFileStorage()
    {
        SortedDictionary<ulong, string> members = LoopbackMembers();
        var replicas = new TubeReplica?[3];
        try
        {
            await StartAllAsync(replicas, members);

            await using TubeClient client = NewClient(members, followerReplies: true);
            // Writes go on until 20 of them raced a follower's answer against the leader's (who wins depends on the
            // machine): the first ones go to the leader alone while the follower connection opens.
            int n = 0;
            while (client.FollowerReplyCounts.Follower + client.FollowerReplyCounts.Leader < 20)
            {
                n++;
                Assert.True(n <= 500, "500 writes and the follower connection is still not used");
                KvItem put = await client.PutAsync("t", B("k"), B($"v{n}"));
                Assert.Equal(n, put.Version);
                Assert.Equal($"v{n}", S((await client.GetAsync("t", B("k")))!.Value!));
            }

            long sent = 0;
            foreach (TubeReplica? replica in replicas)
            {
                sent += (await replica!.GetReplyWaitStatsAsync()).RepliesSent;
            }

            Assert.True(sent > 0, "no follower answered a reply wait with a reply");
        }
        finally
        {
            await StopAllAsync(replicas);
        }
    }

    /// <summary>Three members' addresses on free loopback ports.</summary>
    private static SortedDictionary<ulong, string> LoopbackMembers()
    {
        var members = new SortedDictionary<ulong, string>();
        for (ulong id = 1; id <= 3; id++)
        {
            members[id] = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        }

        return members;
    }

    private async Task StartAllAsync(TubeReplica?[] replicas, SortedDictionary<ulong, string> members)
    {
        for (int i = 0; i < replicas.Length; i++)
        {
            replicas[i] = await StartAsync(i, members);
        }
    }

    private TubeClient NewClient(SortedDictionary<ulong, string> members, bool followerReplies) => new(
        new TubeClientOptions
        {
            Members = [.. members.Values], Rpc = Rpc(), OperationTimeout = Patience, FollowerReplies = followerReplies,
        });

    private static async Task StopAllAsync(TubeReplica?[] replicas)
    {
        foreach (TubeReplica? replica in replicas)
        {
            if (replica is not null)
            {
                await replica.DisposeAsync();
            }
        }
    }

    private async Task<TubeReplica> StartAsync(int i, SortedDictionary<ulong, string> members)
    {
        var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions
        {
            Directory = Path.Combine(dir.Root, "node" + (i + 1)),
        });
        RpcOptions rpc = Rpc();
        rpc.ListenAddress = members[(ulong)i + 1];
        return await TubeReplica.StartAsync(new TubeReplicaOptions
        {
            NodeId = (ulong)i + 1,
            Members = members,
            Rpc = rpc,
            Storage = storage,
            TickInterval = TimeSpan.FromMilliseconds(50),
        });
    }

    private static async Task<int> LeaderAsync(TubeReplica?[] replicas)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            for (int i = 0; i < replicas.Length; i++)
            {
                if (replicas[i] is { } replica && (await replica.GetStatusAsync()).Role == RaftRole.Leader)
                {
                    return i;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    private RpcOptions Rpc() => new()
    {
        Transport = TransportKind.Tls,
        Tls =
        {
            CertPath = dir.Certs, KnownClientKeysPath = "", KnownServerKeysPath = "",
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        },
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);
}
