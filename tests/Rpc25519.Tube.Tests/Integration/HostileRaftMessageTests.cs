using System.Text;
using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Replica traffic that no replica sends: Raft messages from node 0 or from the receiver itself, for
/// another node, of an unknown type, or with a negative term, their other fields random and hostile, sent to every
/// replica's <c>tube.raft</c> service by a connection that is not a replica. The core refuses such messages by
/// throwing, which stopped the replica; the host now drops and logs them (event 723), and the cluster goes on
/// serving. (Well-formed messages forged by someone holding a valid certificate are another matter: Raft trusts its
/// peers, see docs/tube-service.md, "Who may send Raft messages". Fields the core's types refuse to hold, such as an
/// entry of term 0, are the codec's to refuse: <c>RaftWireCodecTests</c>.)</summary>
[Collection(WholeStackCollection.Name)]
public sealed class HostileRaftMessageTests
{
    private const int MessagesPerReplica = 100;

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void MessagesNoReplicaSendsAreDroppedAndTheClusterServes(ulong seed)
    {
        var cluster = new SimTubeCluster(seed);
        var random = new Random((int)seed);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
                options.ServerAddress = cluster.Address(i);
                ulong target = cluster.Ids[i];
                await cluster.OnClient(async () =>
                {
                    await using RpcClient raw = await RpcClient.ConnectAsync(options);
                    for (int n = 0; n < MessagesPerReplica; n++)
                    {
                        var message = new Message { Payload = RaftWireCodec.Encode(NextMessage(random, cluster, target)) };
                        message.Header.ServiceName = TubeServiceNames.Raft;
                        await raw.SendAsync(message);
                        if (n % 10 == 0)
                        {
                            await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(5));
                        }
                    }
                });
            }

            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    private static RaftMessage NextMessage(Random random, SimTubeCluster cluster, ulong target)
    {
        long[] numbers = [long.MinValue, -1, 0, 1, 2, 5, 50, 1_000, long.MaxValue];
        long Number() => numbers[random.Next(numbers.Length)];
        long Positive() => numbers[random.Next(3, numbers.Length)];
        var entries = Enumerable.Range(0, random.Next(4)).Select(_ => new LogEntry(Positive(), Positive(),
            (LogEntryKind)random.Next(-1, 5), Encoding.UTF8.GetBytes("junk"))).ToArray();
        ulong[] others = [.. cluster.Ids.Where(id => id != target)];
        var message = new RaftMessage
        {
            Type = (RaftMessageType)random.Next(0, 12), From = others[random.Next(others.Length)], To = target,
            Term = random.Next(1, 4), LogIndex = Number(), LogTerm = Number(),
            Commit = Number(), Reject = random.Next(2) == 0, RejectHint = Number(), Context = (ulong)random.NextInt64(),
            LeaderTick = Number(), SentThrough = Number(), Transfer = random.Next(4) == 0, Lease = random.Next(2) == 0,
            SnapshotIndex = Number(), SnapshotTerm = Number(), ChunkOffset = Number(), SnapshotLength = Number(),
            ChunkData = random.Next(2) == 0 ? ReadOnlyMemory<byte>.Empty : new byte[random.Next(64)],
            Membership = random.Next(4) == 0
                ? new Membership([.. cluster.Ids.Where(_ => random.Next(2) == 0), 99], random.Next(2) == 0 ? [] : [77],
                    Positive(), Positive())
                : null,
            Entries = entries,
        };
        return random.Next(5) switch
        {
            0 => message with { From = 0 },
            1 => message with { From = target },
            2 => message with { To = random.Next(2) == 0 ? others[0] : 99 },
            3 => message with { Type = (RaftMessageType)random.Next(100, 200) },
            _ => message with { Term = -1 - random.Next(5) },
        };
    }
}
