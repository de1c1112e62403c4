using System.Buffers.Binary;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// A randomized run of the whole stack on SimNet, decided by one seed: three replicas and three workers (two share a
/// client) writing unique values to a few keys and reading them (ReadIndex and lease reads), each also bumping a
/// counter key of its own and incrementing a shared counter by compare-and-swap on its version, while two watchers
/// follow a key and a prefix. Meanwhile a nemesis drops a replica's answers to clients or a third of all it sends,
/// isolates replicas, cuts the leader off from its peers (not from clients) and probes it for a stale ReadIndex,
/// crashes replicas (losing and tearing unsynced writes) and restarts them, pauses their host loops, skews clocks
/// within the lease bound, transfers leadership and demotes and promotes voters; every disk flips synced bytes at a
/// seeded rate, and a replica whose restart finds one is rebuilt on an empty disk under a new id. Then the cluster
/// heals and must converge; the history must be linearizable (the Raft harness's checker), each counter must equal
/// the acknowledged updates plus at most the unknown ones (a retry applied twice breaks it), and the watchers must
/// have seen every committed put of their keys in log order, once each (docs/tube-service.md). A bank ledger beside
/// the store must keep its total balance and count each acknowledged transfer once (SimKvSoak.Ledger.cs).
/// </summary>
internal static partial class SimKvSoak
{
    private const string Table = "t";
    private const int Keys = 3;
    private const int Workers = 3;
    private const int OpsPerWorker = 30;

    /// <summary>The chance per fsync that a disk flips a byte it synced earlier; a restart finds it.</summary>
    private const double FlipProbabilityPerSync = 0.004;

    /// <summary>The value put on key 0 after the run, which tells the watchers they have seen everything.</summary>
    private const long Marker = 99_999_999;

    /// <summary>Values the deposed-leader probe writes: unique, and apart from the workers'.</summary>
    private const long ProbeValueBase = 90_000_000;

    public static SimKvSoakResult RunSeed(ulong seed, bool unsafeReapplyRetries = false)
    {
        var cluster = new SimTubeCluster(seed)
        {
            CreateStateMachines = () => KvAndLedger(
                new StateMachineOptions { UnsafeReapplyRetries = unsafeReapplyRetries }),
        };
        cluster.FlipProbabilityPerSync = FlipProbabilityPerSync;
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
        failure ??= run.WatchFailure;
        failure ??= run.LedgerFailure;
        return new SimKvSoakResult(seed, failure is null, failure, run.Writes, run.WritesUnknown, run.Reads,
            run.Faults, run.AdminDone, cluster.Simulation.TraceHash)
        {
            Pauses = run.Pauses,
            Corruptions = run.Corruptions,
            Rebuilds = run.Rebuilds,
            WatchEvents = run.WatchEvents,
            WatchResumes = run.WatchResumes,
            RegisterWrites = run.RegisterWrites,
            Swaps = run.RegisterSwaps,
            SwapsRefused = run.SwapsRefused,
            Deletes = run.Deletes,
            LeaseRefusals = run.LeaseRefusals,
            LedgerTransfers = run.LedgerTransfers,
            LedgerRefusals = run.LedgerRefusals,
        };
    }

    private sealed partial class Run(SimTubeCluster cluster)
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

        public int Pauses { get; private set; }

        /// <summary>Restarts refused because the disk held a flipped byte.</summary>
        public int Corruptions { get; private set; }

        /// <summary>Nodes brought back on an empty disk under a new id.</summary>
        public int Rebuilds { get; private set; }

        public string? CounterFailure { get; private set; }

        public string? WatchFailure { get; private set; }

        public int WatchEvents => watchers.Sum(w => w.Events.Count);

        /// <summary>Watches started again from the last index seen plus one, after no member answered in time.</summary>
        public int WatchResumes => watchers.Sum(w => w.Resumes);

        private readonly List<Watcher> watchers = [];

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
            TubeClient ledgerClient = await cluster.NewClientAsync(TimeSpan.FromSeconds(1));
            await cluster.OnClient(() => OpenLedgerAsync(ledgerClient));
            // Two watchers, each with its own client: one key, and the prefix of every register key. They follow
            // the whole run through the nemesis, resuming where they stopped.
            watchers.Add(new Watcher(await cluster.NewClientAsync(TimeSpan.FromSeconds(2)), Key(0), Prefix: false,
                cluster.Simulation.CreateRandom("watch/key")));
            watchers.Add(new Watcher(await cluster.NewClientAsync(TimeSpan.FromSeconds(2)), [(byte)'k'], Prefix: true,
                cluster.Simulation.CreateRandom("watch/prefix")));
            var watching = watchers.Select(w => cluster.OnClient(() => WatchAsync(w))).ToList();
            var workers = new List<Task>();
            for (int w = 0; w < Workers; w++)
            {
                int id = w;
                var workerRandom = cluster.Simulation.CreateRandom("worker" + w);
                workers.Add(cluster.OnClient(() => WorkerAsync(id, clients[id], workerRandom)));
            }

            var followerRandom = cluster.Simulation.CreateRandom("follower-reader");
            TubeClient followerReader = await cluster.NewClientAsync(TimeSpan.FromSeconds(1),
                members: [cluster.Address(followerRandom.Next(cluster.Nodes.Length))]);
            workers.Add(cluster.OnClient(() => FollowerReaderAsync(followerReader, followerRandom)));
            var ledgerRandom = cluster.Simulation.CreateRandom("ledger");
            workers.Add(cluster.OnClient(() => LedgerWorkerAsync(ledgerClient, ledgerRandom)));

            admin = await cluster.NewClientAsync(TimeSpan.FromSeconds(2));
            Task nemesis = NemesisAsync();
            foreach (Task worker in workers)
            {
                await worker;
            }

            done = true;
            await nemesis;
            cluster.Network.AllHealthy(powerOnIfOff: false, deliverLost: false);
            for (int round = 0; round < 5 && Enumerable.Range(0, cluster.Nodes.Length).Any(i => !cluster.IsRunning(i));
                 round++)
            {
                for (int i = 0; i < cluster.Nodes.Length; i++)
                {
                    if (!cluster.IsRunning(i))
                    {
                        await RecoverAsync(i);
                    }
                }
            }

            await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                await PromoteAsync(i, attempts: 50);
            }

            await cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(30));
            await CheckCountersAsync(clients[0]);
            await CheckWatchersAsync(clients[0], watching);
            await CheckLedgerAsync(clients[0]);
            foreach (TubeClient client in clients.Distinct().Append(admin!).Append(followerReader).Append(ledgerClient)
                         .Concat(watchers.Select(w => w.Client)))
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
                if (dice < 32)
                {
                    await WriteAsync(worker, client, rng.Next(Keys), ((long)(worker + 1) * 1_000_000) + i + 1);
                }
                else if (dice < 40)
                {
                    await CasIncrementAsync(client);
                }
                else if (dice < 66)
                {
                    await ReadAsync(worker, client, rng.Next(Keys), dice < 54 ? ReadMode.Linearizable : ReadMode.Lease);
                }
                else if (dice < 74)
                {
                    await BumpCounterAsync(worker, client, i);
                }
                else
                {
                    await RegisterOperationAsync(worker, client, rng, ((long)(worker + 1) * 1_000_000) + 500_000 + i + 1);
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
                long value = ValueOf(await client.GetAsync(Table, SlotKey(key), mode));
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
                long value = ValueOf(item);
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
            long total = ValueOf(shared);
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

        /// <summary>One watcher: its client, filter, the changes it saw and how often it had to start again.</summary>
        private sealed record Watcher(TubeClient Client, byte[] KeyOrPrefix, bool Prefix, Random Random)
        {
            public List<ChangeEvent> Events { get; } = [];

            public int Resumes { get; set; }

            public long MarkerIndex { get; set; }

            public CancellationTokenSource Stop { get; } = new();
        }

        /// <summary>Follows the watch until it sees the marker write (put after the run), starting again from the
        /// last index seen plus one whenever no member answered within the client's deadline, and now and then
        /// on its own (a consumer that restarts).</summary>
        private async Task WatchAsync(Watcher watcher)
        {
            long from = 1;
            while (!watcher.Stop.IsCancellationRequested)
            {
                try
                {
                    await foreach (ChangeEvent change in watcher.Client.WatchAsync(Table, watcher.KeyOrPrefix, from,
                                       watcher.Prefix, watcher.Stop.Token))
                    {
                        watcher.Events.Add(change);
                        from = change.Index + 1;
                        if (change.Value is { Length: 8 } bytes && BinaryPrimitives.ReadInt64BigEndian(bytes) == Marker)
                        {
                            watcher.MarkerIndex = change.Index;
                            return;
                        }

                        if (watcher.Random.Next(8) == 0)
                        {
                            watcher.Resumes++;
                            break;
                        }
                    }
                }
                catch (TubeException e) when (IsUnavailable(e))
                {
                    watcher.Resumes++;
                    await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(50));
                }
                catch (OperationCanceledException) when (watcher.Stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        /// <summary>
        /// Puts the marker on key 0 (inside both watchers' filters), waits until both watchers saw it, and checks
        /// what they saw against the client history: per key, versions 1, 2, 3, … with no gap or repeat; log
        /// indexes strictly rising; every acknowledged write seen exactly once and nothing that was never written;
        /// a write that finished before another began comes first; the last version seen is the key's version now;
        /// and the two watchers agree on key 0.
        /// </summary>
        private async Task CheckWatchersAsync(TubeClient client, List<Task> watching)
        {
            var finalVersions = new long[Keys];
            for (int k = 0; k < Keys; k++)
            {
                int key = k;
                KvItem? item = await cluster.OnClient(() => client.GetAsync(Table, Key(key)));
                finalVersions[k] = item?.Version ?? 0;
            }

            KvItem marker = await cluster.OnClient(() => client.PutAsync(Table, Key(0), Value(Marker)));
            finalVersions[0] = marker.Version;
            Task all = Task.WhenAll(watching);
            DateTimeOffset end = cluster.Clock.GetUtcNow() + TimeSpan.FromSeconds(30);
            while (!all.IsCompleted && cluster.Clock.GetUtcNow() < end)
            {
                await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
            }

            // Cancelled on the client node, where the watches' calls and their continuations run.
            await cluster.OnClient(() =>
            {
                foreach (Watcher watcher in watchers)
                {
                    watcher.Stop.Cancel();
                }

                return Task.CompletedTask;
            });
            await all;
            foreach (Watcher watcher in watchers)
            {
                string name = watcher.Prefix ? "the prefix watcher" : "the key watcher";
                WatchFailure ??= watcher.MarkerIndex == 0
                    ? $"{name} did not see the marker put at index {marker.ModifyIndex} within 30 s"
                    : CheckWatcher(watcher, finalVersions);
                if (WatchFailure is not null)
                {
                    WatchFailure = $"{name}: {WatchFailure}";
                    return;
                }
            }

            var single = watchers[0].Events.Where(e => e.Kind == ChangeKind.Put).Select(Describe);
            var fromPrefix = watchers[1].Events.Where(e => e.Kind == ChangeKind.Put && e.Key.SequenceEqual(Key(0)))
                .Select(Describe);
            if (!single.SequenceEqual(fromPrefix))
            {
                WatchFailure = "the key watcher and the prefix watcher disagree on key 0";
            }
        }

        private string? CheckWatcher(Watcher watcher, long[] finalVersions)
        {
            long lastIndex = 0;
            foreach (ChangeEvent change in watcher.Events)
            {
                if (change.Index <= lastIndex)
                {
                    return $"index {change.Index} came after index {lastIndex} (out of log order, or repeated)";
                }

                lastIndex = change.Index;
                if (change.Kind is not (ChangeKind.Put or ChangeKind.TableCreated))
                {
                    return $"a {change.Kind} change at index {change.Index}, which the soak never makes";
                }
            }

            for (int k = 0; k < Keys; k++)
            {
                if (!watcher.Prefix && k != 0)
                {
                    continue;
                }

                int key = k;
                var puts = watcher.Events.Where(e => e.Kind == ChangeKind.Put && e.Key.SequenceEqual(Key(key))).ToList();
                for (int i = 0; i < puts.Count; i++)
                {
                    if (puts[i].Version != i + 1)
                    {
                        return $"key {key}: change {i + 1} has version {puts[i].Version} (a gap or a repeat)";
                    }
                }

                if (puts.Count != finalVersions[key])
                {
                    return $"key {key}: saw {puts.Count} puts, but the key is at version {finalVersions[key]}";
                }

                var indexOf = new Dictionary<long, long>();
                foreach (ChangeEvent put in puts)
                {
                    long value = BinaryPrimitives.ReadInt64BigEndian(put.Value);
                    if (!indexOf.TryAdd(value, put.Index))
                    {
                        return $"key {key}: value {value} was put twice (indexes {indexOf[value]} and {put.Index})";
                    }
                }

                var writes = History.Where(op => op.IsWrite && op.Key == key).ToList();
                foreach (long value in indexOf.Keys)
                {
                    if (value != Marker && !writes.Any(w => w.Value == value))
                    {
                        return $"key {key}: value {value} at index {indexOf[value]} was never written";
                    }
                }

                var acked = writes.Where(w => !w.IsPending).ToList();
                foreach (Operation write in acked)
                {
                    if (!indexOf.ContainsKey(write.Value))
                    {
                        return $"key {key}: the acknowledged write of {write.Value} never reached the watcher";
                    }
                }

                foreach (Operation a in acked)
                {
                    foreach (Operation b in acked)
                    {
                        if (a.Return < b.Call && indexOf[a.Value] > indexOf[b.Value])
                        {
                            return $"key {key}: {a.Value} finished before {b.Value} began, but the watcher saw " +
                                $"it later (index {indexOf[a.Value]} after {indexOf[b.Value]})";
                        }
                    }
                }
            }

            return null;
        }

        private static string Describe(ChangeEvent e) =>
            $"{e.Index}/{e.Version}/{BinaryPrimitives.ReadInt64BigEndian(e.Value)}";

        private async Task NemesisAsync()
        {
            while (!done)
            {
                await cluster.DelayAsync(TimeSpan.FromMilliseconds(100 + random.Next(300)));
                if (done)
                {
                    break;
                }

                await RecoverStoppedAsync();
                int victim = random.Next(cluster.Nodes.Length);
                TimeSpan outage = TimeSpan.FromMilliseconds(200 + random.Next(600));
                Faults++;
                int kind = random.Next(10);
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
                    await RecoverAsync(victim);
                }
                else if (kind == 8)
                {
                    // A stopped process (SIGSTOP, a long GC pause): the host loop stands still while messages queue,
                    // then resumes with the ticks it missed before it handles any of them.
                    Pauses++;
                    await cluster.PauseAsync(victim, outage);
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
                else if (kind is 7 or 9)
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
                    await AdminAsync(c => c.TransferLeadershipAsync(cluster.Ids[victim]));
                    await cluster.DelayAsync(outage);
                }
                else
                {
                    // Demote a voter to a shadow and promote it back: single-server changes mid-run.
                    ulong id = cluster.Ids[victim];
                    await AdminAsync(c => c.ChangeMembershipAsync(Raft.MembershipChangeKind.RemoveVoter, id));
                    await cluster.DelayAsync(outage);
                    await PromoteAsync(victim, attempts: 20);
                }
            }
        }

        /// <summary>Makes node <paramref name="i"/> (under its current id) a voter, retrying while the cluster is
        /// busy; gives up quietly after <paramref name="attempts"/> (the next fault or the final phase tries
        /// again).</summary>
        private async Task PromoteAsync(int i, int attempts)
        {
            ulong id = cluster.Ids[i];
            string address = cluster.Address(i);
            for (int attempt = 0; attempt < attempts && cluster.IsRunning(i) && !await VoterAsync(id); attempt++)
            {
                await AdminAsync(c => c.ChangeMembershipAsync(Raft.MembershipChangeKind.AddVoter, id, address));
                await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
            }
        }

        /// <summary>A replica whose host loop stopped on its own (a storage error found while running) is treated
        /// as crashed and recovered.</summary>
        private async Task RecoverStoppedAsync()
        {
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                if (cluster.Replica(i) is { Completion.IsCompleted: true })
                {
                    cluster.Crash(i, tear: false);
                    await RecoverAsync(i);
                }
            }
        }

        /// <summary>
        /// Restarts a crashed node. If its disk holds a flipped byte, the restart must refuse it with
        /// <see cref="Rpc25519.Tube.Storage.StorageCorruptedException"/> naming the file and offset; the node then leaves the
        /// cluster under its old id (demoted, then removed, through the leader), gets an empty disk and a new id,
        /// and joins again as a voter, catching up from the leader. If the removal cannot go through now (no
        /// leader), the node stays down and a later fault or the final phase tries again.
        /// </summary>
        private async Task RecoverAsync(int i)
        {
            try
            {
                await cluster.RestartAsync(i);
                return;
            }
            catch (Rpc25519.Tube.Storage.StorageCorruptedException e)
            {
                if (!e.FilePath.StartsWith("/tube/", StringComparison.Ordinal)
                    || !e.Message.Contains(e.FilePath, StringComparison.Ordinal)
                    || !e.Message.Contains($"offset {e.Offset}", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"a corrupted disk was refused without naming the file and offset: {e.Message}", e);
                }

                if (cluster.Disks[i].Faults.Count == 0)
                {
                    // Only a flipped byte may look like corruption; a crash or a torn write must recover cleanly.
                    throw new InvalidOperationException(
                        $"node {i}'s storage reported corruption, but its disk flipped no byte: {e.Message}", e);
                }

                Corruptions++;
            }

            cluster.Network.PowerOff(cluster.Nodes[i]);
            ulong old = cluster.Ids[i];
            for (int attempt = 0; attempt < 30; attempt++)
            {
                var status = await StatusAsync();
                if (status is not null && !status.Voters.Contains(old) && !status.Shadows.Contains(old))
                {
                    cluster.Rebuild(i);
                    Rebuilds++;
                    await cluster.RestartAsync(i);
                    await PromoteAsync(i, attempts: 20);
                    return;
                }

                var kind = status?.Voters.Contains(old) == true
                    ? Raft.MembershipChangeKind.RemoveVoter
                    : Raft.MembershipChangeKind.RemoveShadow;
                await AdminAsync(c => c.ChangeMembershipAsync(kind, old));
                await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
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
            string[] majority = [.. Enumerable.Range(0, cluster.Nodes.Length).Where(i => i != old).Select(cluster.Address)];
            TubeClient writer = await cluster.NewClientAsync(outage, members: majority,
                attemptTimeout: TimeSpan.FromMilliseconds(50));
            TubeClient reader = await cluster.NewClientAsync(TimeSpan.FromMilliseconds(100),
                members: [cluster.Address(old)], attemptTimeout: TimeSpan.FromMilliseconds(100));
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

        private async Task<bool> VoterAsync(ulong id) => (await StatusAsync())?.Voters.Contains(id) == true;

        /// <summary>The status of the member the admin client reaches, or null.</summary>
        private async Task<TubeStatus?> StatusAsync()
        {
            try
            {
                return await cluster.OnClient(() => admin!.GetStatusAsync());
            }
            catch (TubeException)
            {
                return null;
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

        /// <summary>The value <see cref="Value"/> wrote, or 0 for an absent key.</summary>
        private static long ValueOf(KvItem? item) =>
            item?.Value is { Length: 8 } bytes ? BinaryPrimitives.ReadInt64BigEndian(bytes) : 0;
    }
}
