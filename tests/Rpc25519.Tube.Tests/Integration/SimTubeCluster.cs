using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// The whole Tube stack on SimNet: N replicas (each a <see cref="TubeReplica"/> on its own simulated node, with a
/// <see cref="SimRaftStorage"/> on its own <see cref="SimDisk"/>), talking Rpc25519 over <see cref="SimNetwork"/>,
/// and a client node for <see cref="TubeClient"/>s. Every method must be called from inside
/// <see cref="Simulation.Run"/> on the driver.
/// </summary>
internal sealed class SimTubeCluster
{
    public const int Port = 7000;

    private readonly TubeReplica?[] replicas;

    /// <summary>Nodes whose next start is a join with an empty disk: they wait to hear a leader.</summary>
    private readonly bool[] joining;

    private ulong nextId;

    public SimTubeCluster(ulong seed, int size = 3)
    {
        Simulation = new Simulation(new SimulationOptions { Seed = seed, VirtualTimeMax = TimeSpan.FromHours(1) });
        Network = new SimNetwork(Simulation);
        Nodes = [.. Enumerable.Range(1, size).Select(i => Simulation.AddNode($"n{i}"))];
        ClientNode = Simulation.AddNode("client");
        Disks = [.. Nodes.Select(n => new SimDisk(Simulation.CreateRandom("disk/" + n.Name)))];
        replicas = new TubeReplica?[size];
        joining = new bool[size];
        Ids = [.. Enumerable.Range(1, size).Select(i => (ulong)i)];
        nextId = (ulong)size + 1;
        Members = new SortedDictionary<ulong, string>();
        for (int i = 0; i < size; i++)
        {
            Members[Ids[i]] = Address(i);
        }
    }

    /// <summary>The Raft id each node runs under now (a node rebuilt from an empty disk gets a new one).</summary>
    public ulong[] Ids { get; }

    /// <summary>The address node <paramref name="i"/> listens on (it keeps it across rebuilds).</summary>
    public string Address(int i) => $"{Nodes[i].Name}:{Port}";

    /// <summary>The node that runs under <paramref name="id"/>, or -1.</summary>
    public int IndexOf(ulong id) => Array.IndexOf(Ids, id);

    /// <summary>The chance per fsync that a node's disk flips a byte it synced earlier (applied to every disk,
    /// rebuilt ones too).</summary>
    public double FlipProbabilityPerSync
    {
        get => Disks[0].FlipProbabilityPerSync;
        set
        {
            foreach (SimDisk disk in Disks)
            {
                disk.FlipProbabilityPerSync = value;
            }
        }
    }

    /// <summary>
    /// Gives a stopped node an empty disk and a new id (listed in <see cref="Members"/> under its old address); its
    /// next start joins as no member, waiting to be added. A node that lost its disk must not come back under its
    /// old id: the leader's match index for that id, and the votes it gave, describe a log that is gone.
    /// </summary>
    public ulong Rebuild(int i)
    {
        if (replicas[i] is not null)
        {
            throw new InvalidOperationException($"node {i} is running; crash it before rebuilding it");
        }

        ulong id = nextId++;
        Disks[i] = new SimDisk(Simulation.CreateRandom($"disk/{Nodes[i].Name}/{id}"))
        {
            FlipProbabilityPerSync = Disks[i].FlipProbabilityPerSync,
        };
        Ids[i] = id;
        Members[id] = Address(i);
        joining[i] = true;
        return id;
    }

    public Simulation Simulation { get; }

    public SimNetwork Network { get; }

    public SimNode[] Nodes { get; }

    public SimNode ClientNode { get; }

    public SimDisk[] Disks { get; }

    public SortedDictionary<ulong, string> Members { get; }

    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(20);

    public long SnapshotEveryEntries { get; init; } = 40;

    /// <summary>Makes each replica's state machines (the mutation check plants a broken one here).</summary>
    public Func<Rpc25519.Tube.StateMachines.StateMachineSet> CreateStateMachines { get; init; } =
        () => Rpc25519.Tube.StateMachines.StateMachineSet.WithKv();

    /// <summary>The key/value store and the bank ledger example, for tests of user machines.</summary>
    public static Rpc25519.Tube.StateMachines.StateMachineSet KvAndLedger()
    {
        var set = Rpc25519.Tube.StateMachines.StateMachineSet.WithKv();
        set.Register(Rpc25519.Tube.StateMachines.Ledger.BankLedger.DefaultName,
            new Rpc25519.Tube.StateMachines.Ledger.BankLedger());
        return set;
    }

    /// <summary>Changes each replica's options before it starts (null: the defaults above).</summary>
    public Action<TubeReplicaOptions>? ConfigureReplica { get; init; }

    public TimeProvider Clock => Simulation.Driver.TimeProvider;

    /// <summary>Logging of every replica (none by default).</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    public TubeReplica? Replica(int i) => replicas[i];

    public Task DelayAsync(TimeSpan delay) => Task.Delay(delay, Clock);

    /// <summary>A pause for code running on the client node.</summary>
    public Task ClientDelayAsync(TimeSpan delay) => Task.Delay(delay, ClientNode.TimeProvider);

    public async Task StartAllAsync()
    {
        for (int i = 0; i < Nodes.Length; i++)
        {
            await StartAsync(i);
        }
    }

    public async Task StartAsync(int i)
    {
        SimNode node = Nodes[i];
        SimDisk disk = Disks[i];
        replicas[i] = await node.Start(async () =>
        {
            var storage = await SimRaftStorage.OpenAsync(disk, new RaftStorageOptions { Directory = "/tube" });
            RpcOptions rpc = Network.CreateOptions(node);
            if (LoggerFactory is not null)
            {
                rpc.LoggerFactory = LoggerFactory;
            }

            var replicaOptions = new TubeReplicaOptions
            {
                NodeId = Ids[i],
                Members = Members,
                InitialVoters = joining[i] ? [.. Members.Keys.Where(id => id != Ids[i])] : [],
                Rpc = rpc,
                Storage = storage,
                TickInterval = Tick,
                ElectionTimeoutTicks = 10,
                IdleTickInterval = TimeSpan.FromMilliseconds(500),
                SnapshotEveryEntries = SnapshotEveryEntries,
                ReadTimeout = TimeSpan.FromMilliseconds(500),
                CreateStateMachines = CreateStateMachines,
            };
            ConfigureReplica?.Invoke(replicaOptions);
            return await TubeReplica.StartAsync(replicaOptions);
        });
        joining[i] = false;
    }

    /// <summary>Power loss: the node's process dies and its disk loses (and may tear) what was not fsynced.</summary>
    public bool IsRunning(int i) => replicas[i] is not null;

    public void Crash(int i, bool tear = true)
    {
        Network.PowerOff(Nodes[i]);
        Disks[i].Crash(tear);
        replicas[i] = null;
    }

    /// <summary>Stops node <paramref name="i"/>'s host loop for <paramref name="duration"/> (a stopped process);
    /// completes when it resumes, at once if the node is down.</summary>
    public Task PauseAsync(int i, TimeSpan duration) => replicas[i]?.PauseAsync(duration) ?? Task.CompletedTask;

    public async Task RestartAsync(int i)
    {
        Network.PowerOn(Nodes[i]);
        await StartAsync(i);
    }

    /// <summary>Makes a client on the client node (its continuations run there).</summary>
    /// <param name="members">The addresses the client knows (null: every member's).</param>
    /// <param name="followerReplies">Lone writes are also awaited on a follower (off by default in the client; on
    /// here, so that every whole-stack test and the soak exercise the durable notices and follower commits).</param>
    public Task<TubeClient> NewClientAsync(TimeSpan? operationTimeout = null, TimeSpan? sessionTimeout = null,
        TimeSpan? keepAliveInterval = null, IEnumerable<string>? members = null, TimeSpan? attemptTimeout = null,
        bool followerReplies = true) =>
        ClientNode.Start(() => Task.FromResult(new TubeClient(new TubeClientOptions
        {
            Members = [.. members ?? Members.Values.Distinct()],
            Rpc = Network.CreateOptions(ClientNode),
            OperationTimeout = operationTimeout ?? TimeSpan.FromSeconds(5),
            AttemptTimeout = attemptTimeout ?? TimeSpan.FromMilliseconds(400),
            RetryBackOff = TimeSpan.FromMilliseconds(20),
            SessionTimeout = sessionTimeout,
            KeepAliveInterval = keepAliveInterval,
            FollowerReplies = followerReplies,
        })));

    /// <summary>Runs client code on the client node.</summary>
    public Task<T> OnClient<T>(Func<Task<T>> work) => ClientNode.Start(work);

    /// <summary>Runs client code on the client node.</summary>
    public Task OnClient(Func<Task> work) => ClientNode.Start(work);

    /// <summary>Puts a key through <paramref name="client"/> while every answer of replica <paramref name="silent"/>
    /// to the client node vanishes; returns the put's item and how long it took (virtual time).</summary>
    public async Task<(KvItem Item, TimeSpan Took)> PutWhileAnswersVanishAsync(TubeClient client,
        int silent, string table, byte[] key, byte[] value)
    {
        SimUndo drop = Network.FaultCircuit(Nodes[silent], ClientNode, new DropDeafSpec(1.0, null));
        DateTimeOffset start = Clock.GetUtcNow();
        KvItem item = await OnClient(() => client.PutAsync(table, key, value));
        TimeSpan took = Clock.GetUtcNow() - start;
        drop.Undo();
        return (item, took);
    }

    /// <summary>Waits until some running replica is leader and every running replica follows it; returns its
    /// index.</summary>
    public async Task<int> WaitForLeaderAsync(TimeSpan? within = null)
    {
        DateTimeOffset end = Clock.GetUtcNow() + (within ?? TimeSpan.FromSeconds(10));
        while (Clock.GetUtcNow() < end)
        {
            var statuses = new List<TubeStatus>();
            foreach (TubeReplica? replica in replicas)
            {
                if (replica is not null)
                {
                    statuses.Add(await replica.GetStatusAsync());
                }
            }

            var leader = statuses.FirstOrDefault(s => s.Role == RaftRole.Leader);
            if (leader is not null && statuses.All(s => s.LeaderId == leader.NodeId && s.Term == leader.Term))
            {
                return IndexOf(leader.NodeId);
            }

            await DelayAsync(Tick * 5);
        }

        throw new TimeoutException($"No stable leader within {within ?? TimeSpan.FromSeconds(10)} (seed " +
            $"{Simulation.Seed}).");
    }

    /// <summary>Waits until every running replica has applied the same index and holds the same state hash.</summary>
    public async Task WaitForConvergenceAsync(TimeSpan? within = null)
    {
        DateTimeOffset end = Clock.GetUtcNow() + (within ?? TimeSpan.FromSeconds(20));
        string last = "";
        while (Clock.GetUtcNow() < end)
        {
            var hashes = new List<(long, string)>();
            foreach (TubeReplica? replica in replicas)
            {
                if (replica is not null)
                {
                    hashes.Add(await replica.GetStateHashAsync());
                }
            }

            last = string.Join(", ", hashes.Select(h => $"{h.Item1}:{h.Item2[..8]}"));
            if (hashes.Distinct().Count() == 1)
            {
                return;
            }

            await DelayAsync(Tick * 5);
        }

        throw new TimeoutException($"Replicas did not converge (seed {Simulation.Seed}): {last}");
    }

    public async Task StopAllAsync()
    {
        for (int i = 0; i < replicas.Length; i++)
        {
            if (replicas[i] is { } replica)
            {
                await Nodes[i].Start(async () => await replica.DisposeAsync());
                replicas[i] = null;
            }
        }
    }
}
