using System.Buffers.Binary;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// The real Raft core on the write-ahead log. Three nodes, each with its own simulated disk, follow the host
/// contract (persist with <see cref="RaftStorageExtensions.PersistAsync"/>, then send, then apply), compact into
/// snapshots, and crash: sometimes in the middle of persisting a batch (the disk loses power after a few changes,
/// so the batch's messages are never sent), with torn or whole unsynced writes, sometimes as a plain process kill.
/// A crashed node restarts from <see cref="IRaftStorage.Recovered"/> only. The check: no two nodes ever apply
/// different entries at one index (a committed entry lost by a disk would let a later leader overwrite it), and
/// after the faults stop the cluster commits new proposals. The seed decides everything. A mutation check runs the
/// same seeds with a host that sends before its batch is fsynced, and must see the violation.
/// </summary>
public sealed class RaftOverStorageTests
{
    private sealed class Host(ulong id, SimDisk disk)
    {
        public ulong Id { get; } = id;

        public SimDisk Disk { get; } = disk;

        public SimRaftStorage? Storage { get; set; }

        public RaftNode? Node { get; set; }

        public long RestartAt { get; set; }
    }

    [Fact]
    public async Task ACrashingClusterOnTheLogNeverLosesACommittedEntry()
    {
        long committed = 0;
        int crashes = 0;
        for (int seed = 1; seed <= 12; seed++)
        {
            var (entries, crashed) = await RunSeed(seed, fsyncBeforeSending: true);
            committed += entries;
            crashes += crashed;
        }

        Assert.True(crashes > 30, $"only {crashes} crashes in 12 seeds");
        Assert.True(committed > 200, $"only {committed} entries applied in 12 seeds");
    }

    [Fact]
    public async Task MutationCheckAHostThatSendsBeforeFsyncLosesCommittedEntries()
    {
        for (int seed = 1; seed <= 12; seed++)
        {
            try
            {
                await RunSeed(seed, fsyncBeforeSending: false);
            }
            catch (SafetyViolationException)
            {
                return;
            }
        }

        Assert.Fail("12 seeds of a host that acknowledges before its fsync found no lost committed entry");
    }

    private static RaftOptions Options(ulong id, Random random) => new()
    {
        NodeId = id, InitialMembership = new Membership([1, 2, 3], [], 0, 1), Random = new Random(random.Next()),
    };

    private static async Task<(long Applied, int Crashes)> RunSeed(int seed, bool fsyncBeforeSending)
    {
        var random = new Random(seed);
        var hosts = Enumerable.Range(1, 3).Select(i => new Host((ulong)i, new SimDisk(new Random(seed * 10 + i))
        {
            SyncYields = false,
        })).ToArray();
        foreach (var host in hosts)
        {
            await Start(host, random);
        }

        var applied = new Dictionary<long, (long Term, byte[] Data)>();
        var network = new List<RaftMessage>();
        int crashes = 0;
        long proposals = 0;
        for (int tick = 0; tick < 1000; tick++)
        {
            bool faults = tick < 700;
            foreach (var host in hosts)
            {
                if (host.Node is null && tick >= host.RestartAt)
                {
                    await Start(host, random);
                }

                if (host.Node is not { } node)
                {
                    continue;
                }

                node.Tick();
                if (node.Role == RaftRole.Leader && random.Next(3) == 0)
                {
                    var command = new byte[16];
                    BinaryPrimitives.WriteInt64LittleEndian(command, ++proposals);
                    BinaryPrimitives.WriteInt64LittleEndian(command.AsSpan(8), seed);
                    node.Propose(command);
                }

                bool crashNow = faults && random.Next(150) == 0;
                if (crashNow)
                {
                    host.Disk.ChangesUntilPowerLoss = random.Next(0, 8);
                }

                if (!await Process(host, network, applied, seed, random, fsyncBeforeSending))
                {
                    crashNow = true;
                }

                if (crashNow)
                {
                    Crash(host, tick, random);
                    crashes++;
                }
            }

            Deliver(hosts, network, random, faults ? 0.15 : 0);
        }

        var leader = hosts.Where(h => h.Node?.Role == RaftRole.Leader).ToList();
        Assert.True(leader.Count == 1, $"seed {seed}: {leader.Count} leaders after the faults stopped");
        Assert.True(applied.Count > 10, $"seed {seed}: only {applied.Count} entries applied");
        return (applied.Count, crashes);
    }

    private static async Task Start(Host host, Random random)
    {
        host.Storage = await SimRaftStorage.OpenAsync(host.Disk, new RaftStorageOptions
        {
            Directory = "/sim/node" + host.Id, SegmentBytesMax = 2048,
        });
        host.Node = new RaftNode(Options(host.Id, random), host.Storage.Recovered);
    }

    private static void Crash(Host host, int tick, Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                host.Disk.KillProcess();
                break;
            default:
                host.Disk.Crash(tearUnsyncedWrites: random.Next(2) == 0);
                break;
        }

        host.Node = null;
        host.Storage = null;
        host.RestartAt = tick + random.Next(5, 60);
    }

    /// <summary>One host-loop turn: persist, send, apply, compact, advance. False if the disk failed.</summary>
    private static async Task<bool> Process(Host host, List<RaftMessage> network,
        Dictionary<long, (long Term, byte[] Data)> applied, int seed, Random random, bool fsyncBeforeSending)
    {
        var node = host.Node!;
        if (!node.HasReady())
        {
            return true;
        }

        var ready = node.GetReady();
        try
        {
            if (fsyncBeforeSending)
            {
                await host.Storage!.PersistAsync(ready);
            }
            else
            {
                await QueueWithoutFlush(host.Storage!, ready);
            }
        }
        catch (IOException)
        {
            return false;
        }

        network.AddRange(ready.Messages);
        foreach (var entry in ready.CommittedEntries.Where(e => e.Kind == LogEntryKind.Command))
        {
            var data = entry.Data.ToArray();
            if (applied.TryGetValue(entry.Index, out var earlier))
            {
                if (earlier.Term != entry.Term || !earlier.Data.SequenceEqual(data))
                {
                    throw new SafetyViolationException(
                        $"seed {seed}: node {host.Id} applied {entry} where another node applied term {earlier.Term}");
                }
            }
            else
            {
                applied[entry.Index] = (entry.Term, data);
            }
        }

        node.Advance(ready);
        if (node.AppliedIndex - node.SnapshotIndex > 25 && random.Next(4) == 0)
        {
            try
            {
                await host.Storage!.SaveSnapshotAsync(node.Compact(node.AppliedIndex, new byte[] { 1, 2, 3 }));
            }
            catch (IOException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The planted bug: the batch is queued but not flushed before its messages go out.</summary>
    private static async Task QueueWithoutFlush(SimRaftStorage storage, Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
        {
            await storage.SaveSnapshotAsync(snapshot);
        }

        storage.Append(ready.Entries);
        if (ready.HardState is not null || ready.Membership is not null)
        {
            storage.SaveState(ready.HardState, ready.Membership);
        }
    }

    private static void Deliver(Host[] hosts, List<RaftMessage> network, Random random, double lossRate)
    {
        var batch = network.OrderBy(_ => random.Next()).ToList();
        network.Clear();
        foreach (var message in batch)
        {
            if (random.NextDouble() >= lossRate && hosts[message.To - 1].Node is { } target)
            {
                target.Step(message);
            }
        }
    }
}
