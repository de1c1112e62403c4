using System.Buffers.Binary;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// A randomized run of the whole stack on SimNet, decided by one seed: three replicas and three workers (two share a
/// client) writing unique values to a few keys and reading them (ReadIndex and lease reads), each also bumping a
/// counter key of its own and incrementing a shared counter by compare-and-swap on its version. Meanwhile a nemesis
/// drops a replica's answers to clients or a third of all it sends, isolates replicas, cuts the leader off from its
/// peers (not from clients), crashes them (losing and
/// tearing unsynced writes) and restarts them, skews clocks within the lease bound, transfers leadership and demotes
/// and promotes voters. Then the cluster heals and must converge; the history must be linearizable (the Raft
/// harness's checker), and each counter must equal the acknowledged updates plus at most the unknown ones (a retry
/// applied twice breaks it).
/// </summary>
internal static class SimKvSoak
{
    private const string Table = "t";
    private const int Keys = 3;
    private const int Workers = 3;
    private const int OpsPerWorker = 30;

    /// <summary>Values the deposed-leader probe writes: unique, and apart from the workers'.</summary>
    private const long ProbeValueBase = 90_000_000;

    public static SimKvSoakResult RunSeed(ulong seed, bool unsafeReapplyRetries = false)
    {
        var cluster = new SimTubeCluster(seed)
        {
            CreateStateMachines = () => StateMachineSet.WithKv(
                new StateMachineOptions { UnsafeReapplyRetries = unsafeReapplyRetries }),
        };
        var run = new Run(cluster);
        string? failure = null;
        try
        {
            cluster.Simulation.Run(run.MainAsync);
        }
        catch (SimulationException e)
        {
            failure = (e.InnerException ?? e).Message;
        }

        if (failure is null)
        {
            var verdict = LinearizabilityChecker.Check(run.History);
            if (verdict == LinearizabilityChecker.Verdict.NotLinearizable)
            {
                failure = "the client history is not linearizable";
            }
        }

        failure ??= run.CounterFailure;
        return new SimKvSoakResult(seed, failure is null, failure, run.Writes, run.WritesUnknown, run.Reads,
            run.Faults, run.AdminDone, cluster.Simulation.TraceHash);
    }

    private sealed class Run(SimTubeCluster cluster)
    {
        private readonly SimRandom random = cluster.Simulation.CreateRandom("soak");
        private readonly int[] counterAcked = new int[Workers];
        private readonly int[] counterUnknown = new int[Workers];
        private int casAcked;
        private int casUnknown;
        private long clock;
        private int probes;
        private bool done;
        private TubeClient? admin;

        public List<Operation> History { get; } = [];

        public int Writes { get; private set; }

        public int WritesUnknown { get; private set; }

        public int Reads { get; private set; }

        public int Faults { get; private set; }

        public int AdminDone { get; private set; }

        public string? CounterFailure { get; private set; }

        public int Swaps => casAcked;

        public async Task MainAsync()
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            var clients = new TubeClient[Workers];
            for (int w = 0; w < Workers; w++)
            {
                // Workers 0 and 1 share one client (and so one session, with commands of both in flight at once).
                clients[w] = w == 1 ? clients[0] : await cluster.NewClientAsync(TimeSpan.FromSeconds(1));
            }

            await cluster.OnClient(() => clients[0].CreateTableAsync(Table));
            var workers = new List<Task>();
            for (int w = 0; w < Workers; w++)
            {
                int id = w;
                var workerRandom = cluster.Simulation.CreateRandom("worker" + w);
                workers.Add(cluster.OnClient(() => WorkerAsync(id, clients[id], workerRandom)));
            }

            admin = await cluster.NewClientAsync(TimeSpan.FromSeconds(2));
            Task nemesis = NemesisAsync();
            foreach (Task worker in workers)
            {
                await worker;
            }

            done = true;
            await nemesis;
            cluster.Network.AllHealthy(powerOnIfOff: false, deliverLost: false);
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                if (!cluster.IsRunning(i))
                {
                    await cluster.RestartAsync(i);
                }
            }

            await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
            for (ulong id = 1; id <= (ulong)cluster.Nodes.Length; id++)
            {
                for (int attempt = 0; attempt < 50 && !await VoterAsync(id); attempt++)
                {
                    ulong voter = id;
                    await AdminAsync(c => c.ChangeMembershipAsync(Raft.MembershipChangeKind.AddVoter, voter));
                    await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
                }
            }

            await cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(30));
            await CheckCountersAsync(clients[0]);
            foreach (TubeClient client in clients.Distinct().Append(admin!))
            {
                await cluster.OnClient(async () => await client.DisposeAsync());
            }

            await cluster.StopAllAsync();
        }

        private async Task WorkerAsync(int worker, TubeClient client, Random rng)
        {
            for (int i = 0; i < OpsPerWorker; i++)
            {
                await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(rng.Next(10, 120)));
                int dice = rng.Next(100);
                if (dice < 40)
                {
                    await WriteAsync(worker, client, rng.Next(Keys), ((long)(worker + 1) * 1_000_000) + i + 1);
                }
                else if (dice < 50)
                {
                    await CasIncrementAsync(client);
                }
                else if (dice < 85)
                {
                    await ReadAsync(worker, client, rng.Next(Keys), dice < 70 ? ReadMode.Linearizable : ReadMode.Lease);
                }
                else
                {
                    await BumpCounterAsync(worker, client, i);
                }
            }
        }

        private async Task<bool> WriteAsync(int worker, TubeClient client, int key, long value)
        {
            long call = ++clock;
            try
            {
                await client.PutAsync(Table, Key(key), Value(value));
                History.Add(new Operation(worker, key, IsWrite: true, value, call, ++clock));
                Writes++;
                return true;
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                History.Add(new Operation(worker, key, IsWrite: true, value, call, long.MaxValue));
                WritesUnknown++;
                return false;
            }
        }

        private async Task ReadAsync(int worker, TubeClient client, int key, ReadMode mode)
        {
            long call = ++clock;
            try
            {
                KvItem? item = await client.GetAsync(Table, Key(key), mode);
                long value = item?.Value is { Length: 8 } bytes ? BinaryPrimitives.ReadInt64BigEndian(bytes) : 0;
                History.Add(new Operation(worker, key, IsWrite: false, value, call, ++clock));
                Reads++;
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                // A read that got no answer says nothing.
            }
        }

        private async Task BumpCounterAsync(int worker, TubeClient client, int i)
        {
            try
            {
                await client.PutAsync(Table, CounterKey(worker), Value(i));
                counterAcked[worker]++;
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                counterUnknown[worker]++;
            }
        }

        /// <summary>Read-modify-write on a shared counter with compare-and-swap on the version: the counter must
        /// end at the number of swaps that succeeded (plus at most the unknown ones).</summary>
        private async Task CasIncrementAsync(TubeClient client)
        {
            try
            {
                KvItem? item = await client.GetAsync(Table, SharedCounter);
                long value = item?.Value is { Length: 8 } bytes ? BinaryPrimitives.ReadInt64BigEndian(bytes) : 0;
                await client.CompareAndSwapAsync(Table, SharedCounter, Value(value + 1),
                    expectedVersion: item?.Version ?? 0);
                casAcked++;
            }
            catch (CasMismatchException)
            {
                // Another worker swapped first.
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                casUnknown++;
            }
        }

        private async Task CheckCountersAsync(TubeClient client)
        {
            KvItem? shared = await cluster.OnClient(() => client.GetAsync(Table, SharedCounter));
            long total = shared?.Value is { Length: 8 } bytes ? BinaryPrimitives.ReadInt64BigEndian(bytes) : 0;
            if (total < casAcked || total > casAcked + casUnknown)
            {
                CounterFailure = $"the shared CAS counter is {total}, but {casAcked} swaps were acknowledged and " +
                    $"{casUnknown} had unknown outcome: a swap was lost or applied twice";
                return;
            }

            for (int w = 0; w < Workers; w++)
            {
                int worker = w;
                KvItem? item = await cluster.OnClient(() => client.GetAsync(Table, CounterKey(worker)));
                long version = item?.Version ?? 0;
                if (version < counterAcked[w] || version > counterAcked[w] + counterUnknown[w])
                {
                    CounterFailure = $"counter of worker {w} has version {version}, but {counterAcked[w]} bumps " +
                        $"were acknowledged and {counterUnknown[w]} had unknown outcome: a write was lost or " +
                        "applied twice";
                    return;
                }
            }
        }

        private async Task NemesisAsync()
        {
            while (!done)
            {
                await cluster.DelayAsync(TimeSpan.FromMilliseconds(100 + random.Next(300)));
                if (done)
                {
                    break;
                }

                int victim = random.Next(cluster.Nodes.Length);
                TimeSpan outage = TimeSpan.FromMilliseconds(200 + random.Next(600));
                Faults++;
                int kind = random.Next(8);
                if (kind == 0)
                {
                    // One-way loss: the victim's answers to clients vanish (on the connections open now), so
                    // clients retry commands that were already applied.
                    SimUndo drop = cluster.Network.FaultCircuit(cluster.Nodes[victim], cluster.ClientNode,
                        new DropDeafSpec(1.0, null));
                    await cluster.DelayAsync(outage);
                    drop.Undo();
                }
                else if (kind == 1)
                {
                    SimUndo cut = cluster.Network.Isolate(cluster.Nodes[victim]);
                    await cluster.DelayAsync(outage);
                    cut.Undo();
                }
                else if (kind == 2)
                {
                    cluster.Crash(victim, tear: true);
                    await cluster.DelayAsync(outage);
                    await cluster.RestartAsync(victim);
                }
                else if (kind == 3)
                {
                    // Clock skew well inside the lease drift bound (2 ticks of 10): a small jump and a slow or fast
                    // rate; lease expiry follows the leader's stamps in the log, never a replica's own clock.
                    SimUndo skew = cluster.Network.SkewClock(cluster.Nodes[victim],
                        TimeSpan.FromMilliseconds(random.Next(-10, 11)), random.Next(-5000, 5001));
                    await cluster.DelayAsync(outage);
                    skew.Undo();
                }
                else if (kind == 7)
                {
                    // Split the leader from its peers but not from clients: it keeps answering until check-quorum
                    // makes it step down, while the others elect a new leader and move on.
                    int old = await cluster.WaitForLeaderAsync();
                    var cuts = new List<SimUndo>();
                    for (int peer = 0; peer < cluster.Nodes.Length; peer++)
                    {
                        if (peer != old)
                        {
                            cuts.Add(cluster.Network.FaultCircuit(cluster.Nodes[old], cluster.Nodes[peer], new DropDeafSpec(1.0, null)));
                            cuts.Add(cluster.Network.FaultCircuit(cluster.Nodes[peer], cluster.Nodes[old], new DropDeafSpec(1.0, null)));
                        }
                    }

                    Task probe = cluster.OnClient(() => ProbeDeposedLeaderAsync(old, outage));
                    await cluster.DelayAsync(outage);
                    cuts.ForEach(cut => cut.Undo());
                    await probe;
                }
                else if (kind == 6)
                {
                    // Lossy sending: a third of what the victim sends on its open connections vanishes.
                    SimUndo lossy = cluster.Network.FaultCircuit(cluster.Nodes[victim], null, new DropDeafSpec(0.3, null));
                    await cluster.DelayAsync(outage);
                    lossy.Undo();
                }
                else if (kind == 4)
                {
                    await AdminAsync(c => c.TransferLeadershipAsync((ulong)victim + 1));
                    await cluster.DelayAsync(outage);
                }
                else
                {
                    // Demote a voter to a shadow and promote it back: single-server changes mid-run.
                    ulong id = (ulong)victim + 1;
                    await AdminAsync(c => c.ChangeMembershipAsync(Raft.MembershipChangeKind.RemoveVoter, id));
                    await cluster.DelayAsync(outage);
                    for (int attempt = 0; attempt < 20 && !await VoterAsync(id); attempt++)
                    {
                        await AdminAsync(c => c.ChangeMembershipAsync(Raft.MembershipChangeKind.AddVoter, id));
                        await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
                    }
                }
            }
        }

        /// <summary>
        /// While the leader <paramref name="old"/> is cut off from its peers (not from clients): a client that knows
        /// only the other members writes a key until the new majority acknowledges it, then a client that knows only
        /// the old leader reads that key with ReadIndex. A correct old leader cannot confirm the read (no quorum
        /// answers its round) or has stepped down; one that answers from its own state without the round returns
        /// the value from before the write, and the history stops being linearizable.
        /// </summary>
        private async Task ProbeDeposedLeaderAsync(int old, TimeSpan outage)
        {
            DateTimeOffset end = cluster.ClientNode.TimeProvider.GetUtcNow() + outage;
            string[] majority = [.. cluster.Members.Where(m => m.Key != (ulong)old + 1).Select(m => m.Value)];
            TubeClient writer = await cluster.NewClientAsync(outage, members: majority,
                attemptTimeout: TimeSpan.FromMilliseconds(100));
            TubeClient reader = await cluster.NewClientAsync(TimeSpan.FromMilliseconds(100),
                members: [cluster.Members[(ulong)old + 1]], attemptTimeout: TimeSpan.FromMilliseconds(100));
            try
            {
                int key = random.Next(Keys);
                bool written = await WriteAsync(Workers, writer, key, ProbeValueBase + (++probes));
                if (written && cluster.ClientNode.TimeProvider.GetUtcNow() < end)
                {
                    await ReadAsync(Workers + 1, reader, key, ReadMode.Linearizable);
                }
            }
            finally
            {
                await writer.DisposeAsync();
                await reader.DisposeAsync();
            }
        }

        /// <summary>Runs an admin call on the client node; refusals (not ready, no such change) are part of the
        /// game.</summary>
        private async Task AdminAsync(Func<TubeClient, Task> call)
        {
            try
            {
                await cluster.OnClient(() => call(admin!));
                AdminDone++;
            }
            catch (TubeException)
            {
                // Refused or unavailable: the nemesis moves on.
            }
        }

        private async Task<bool> VoterAsync(ulong id)
        {
            try
            {
                var status = await cluster.OnClient(() => admin!.GetStatusAsync());
                return status.Voters.Contains(id);
            }
            catch (TubeException)
            {
                return false;
            }
        }

        private static bool IsUnavailable(TubeException e) =>
            e is NotLeaderException or NoQuorumException or TubeUnavailableException;

        private static byte[] Key(int key) => [(byte)'k', (byte)('0' + key)];

        private static readonly byte[] SharedCounter = [(byte)'s'];

        private static byte[] CounterKey(int worker) => [(byte)'c', (byte)('0' + worker)];

        private static byte[] Value(long value)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(bytes, value);
            return bytes;
        }
    }
}
