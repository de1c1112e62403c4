using System.Globalization;

namespace Rpc25519.SimNet.Harness;

/// <summary>
/// A test harness: N nodes built from a seed, each running the real <c>RpcServer</c> and <c>RpcClient</c> on a
/// <see cref="SimNetwork"/>. <see cref="Run"/> has a safety phase (a workload of echo calls between random peers
/// while a nemesis injects faults; every reply must carry exactly the payload sent, and no call may outlive every
/// timeout), then a liveness phase (everything healed; every node must reach every peer within a budget).
/// </summary>
/// <remarks>
/// <para>A failing run throws <see cref="SimulationException"/> whose message carries the seed, the step, the
/// virtual time and the last trace events; the same seed replays the same run.</para>
/// <para>Thread-safety: not thread-safe; one run per instance.</para>
/// </remarks>
public sealed class SimCluster
{
    private readonly List<ClusterNode> _apps = [];
    private readonly List<string> _violations = [];
    private long _succeeded;
    private long _failed;

    /// <summary>Builds the nodes (named n0, n1, ...) and the network; nothing runs until <see cref="Run"/>.</summary>
    /// <param name="options">Settings; validated now.</param>
    public SimCluster(SimClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Simulation = new Simulation(new SimulationOptions
        {
            Seed = options.Seed,
            ScheduleMode = options.ScheduleMode,
            KeptEventsMax = options.KeptEventsMax,
            CheckpointInterval = options.CheckpointInterval,
            EscapeChecks = options.EscapeChecks,
            VirtualTimeMax = options.SafetyDuration + options.LivenessBudget + TimeSpan.FromMinutes(5),
        });
        Network = new SimNetwork(Simulation, options.Network);
        var nodes = new List<SimNode>();
        for (int i = 0; i < options.Nodes; i++)
        {
            SimNode node = Simulation.AddNode("n" + i.ToString(CultureInfo.InvariantCulture));
            nodes.Add(node);
            _apps.Add(new ClusterNode(this, node, i));
        }
        Nodes = nodes.AsReadOnly();
    }

    /// <summary>The settings of this cluster.</summary>
    public SimClusterOptions Options { get; }

    /// <summary>The simulation (seed, trace hash, steps).</summary>
    public Simulation Simulation { get; }

    /// <summary>The network, for extra faults or snapshots.</summary>
    public SimNetwork Network { get; }

    /// <summary>The nodes, n0 first.</summary>
    public IReadOnlyList<SimNode> Nodes { get; }

    /// <summary>Invariant violations seen so far (the run throws at its end if there are any).</summary>
    public IReadOnlyList<string> Violations => _violations;

    internal bool Stopping { get; private set; }

    /// <summary>Runs the safety phase, heals, runs the liveness phase, and checks the invariants.</summary>
    /// <exception cref="SimulationException">An invariant failed, a limit was hit, or something escaped; the message
    /// carries the seed and the last events.</exception>
    public SimClusterResult Run()
    {
        var nemesis = new Nemesis(this);
        Simulation.Run(async () =>
        {
            await Task.WhenAll(_apps.Select(app => app.Boot()));
            TimeSpan safetyEnd = Simulation.Elapsed + Options.SafetyDuration;
            if (Options.Nemesis)
            {
                await nemesis.RunAsync(safetyEnd);
            }
            else
            {
                await Task.Delay(Options.SafetyDuration, Simulation.Driver.TimeProvider);
            }
            Stopping = true;
            await Task.WhenAll(_apps.Select(app => app.Workload));
            await CheckLivenessAsync();
            if (Network.CheckLossLedger() is { } ledger)
            {
                Violation(ledger);
            }
            if (_violations.Count > 0)
            {
                throw new SimulationException($"{_violations.Count} invariant violation(s); first: {_violations[0]}");
            }
        });
        return new SimClusterResult(Simulation.Seed, Simulation.TraceHash, Simulation.Steps, Simulation.Elapsed,
            _succeeded, _failed, nemesis.Injected, nemesis.PowerCycles, nemesis.Reboots, nemesis.Partitions,
            Network.Counters);
    }

    internal ClusterNode NodeApp(int index) => _apps[index];

    internal void Count(CallOutcome outcome)
    {
        if (outcome == CallOutcome.Succeeded)
        {
            _succeeded++;
        }
        else
        {
            _failed++;
        }
    }

    internal void Violation(string what)
    {
        _violations.Add(string.Create(CultureInfo.InvariantCulture,
            $"at {Simulation.Elapsed.TotalMilliseconds:F3} ms (step {Simulation.Steps}): {what}"));
    }

    private async Task CheckLivenessAsync()
    {
        TimeSpan deadline = Simulation.Elapsed + Options.LivenessBudget;
        var probes = new List<(int From, int To, Task<bool> Answered)>();
        foreach (ClusterNode app in _apps)
        {
            for (int peer = 0; peer < Options.Nodes; peer++)
            {
                if (peer != app.Index)
                {
                    probes.Add((app.Index, peer, app.ProbeAsync(peer, deadline)));
                }
            }
        }
        await Task.WhenAll(probes.Select(p => p.Answered));
        foreach ((int from, int to, Task<bool> answered) in probes)
        {
            if (!await answered)
            {
                Violation($"liveness: after healing, n{from} could not get an answer from n{to} within " +
                    $"{Options.LivenessBudget}");
            }
        }
    }
}
