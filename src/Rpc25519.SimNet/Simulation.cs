using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Rpc25519.SimNet;

/// <summary>
/// A deterministic simulation: nodes whose code runs on one thread under an executor the simulation owns, with virtual
/// time, seeded randomness and an event trace folded into a hash. A seed replays a run step for step.
/// </summary>
/// <remarks>
/// <para>Use: create nodes with <see cref="AddNode"/>, then call <see cref="Run"/> with the test's driver code. The
/// calling thread becomes the simulation thread for the duration of the call.</para>
/// <para>Thread-safety: not thread-safe. Create, drive and inspect a simulation from one thread.</para>
/// </remarks>
public sealed class Simulation
{
    private readonly SimulationOptions _options;
    private readonly SimRandom _root;
    private readonly SimExecutor _executor;
    private readonly EscapeDetector _escapes;
    private readonly List<SimNode> _nodes = [];
    private readonly Dictionary<string, SimNode> _nodesByName = new(StringComparer.Ordinal);

    /// <summary>Creates a simulation with no nodes besides the driver node.</summary>
    /// <param name="options">The settings; validated here and not read again.</param>
    public Simulation(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Seed = options.Seed;
        _root = new SimRandom(options.Seed);
        var trace = new SimTrace(options.RecentEventsMax, options.KeptEventsMax);
        _executor = new SimExecutor(trace, _root.Fork("schedule"), options.ScheduleMode, options.ReadyItemsMax);
        _escapes = new EscapeDetector(options.EscapeChecks, options.EscapeCheckInterval);
        Logger = options.LoggerFactory.CreateLogger("Rpc25519.SimNet");
        Driver = new SimNode(_executor, 0, "sim", _root.Fork("node/sim/app"));
        _nodes.Add(Driver);
        _nodesByName.Add(Driver.Name, Driver);
        _executor.InfrastructureProcess = Driver.Process;
        _executor.CheckpointInterval = options.CheckpointInterval;
        _executor.DetectForeignThreads = (options.EscapeChecks & EscapeChecks.ForeignThreads) != 0;
        _executor.Checkpoint = checkpoint => Checkpoint?.Invoke(checkpoint);
    }

    /// <summary>
    /// Raised on the simulation thread every <see cref="SimulationOptions.CheckpointInterval"/> steps, between two
    /// steps. A handler may block (for example to wait for another run's checkpoint) but must not touch the
    /// simulation's nodes.
    /// </summary>
    public event Action<SimCheckpoint>? Checkpoint;

    /// <summary>The seed of this run.</summary>
    public ulong Seed { get; }

    /// <summary>The node that runs the code given to <see cref="Run"/> (id 0, named "sim"); it is never faulted.
    /// </summary>
    public SimNode Driver { get; }

    /// <summary>All nodes, the driver first, in creation order.</summary>
    public IReadOnlyList<SimNode> Nodes => _nodes;

    /// <summary>Virtual time elapsed since the start of the simulation.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(_executor.NowTicks);

    /// <summary>Work items executed so far, over all runs.</summary>
    public long Steps => _executor.Steps;

    /// <summary>The running hash of the event trace: equal seeds give equal hashes at equal steps.</summary>
    public ulong TraceHash => _executor.Trace.Hash;

    /// <summary>Trace events recorded so far.</summary>
    public long TraceCount => _executor.Trace.Count;

    /// <summary>The first trace events of the run, up to <see cref="SimulationOptions.KeptEventsMax"/>.</summary>
    public IReadOnlyList<TraceEvent> KeptEvents => _executor.Trace.Kept;

    /// <summary>The most recent trace events, oldest first.</summary>
    public IReadOnlyList<TraceEvent> RecentEvents => _executor.Trace.Recent();

    internal SimExecutor Executor => _executor;

    internal ILogger Logger { get; }

    /// <summary>A sub-stream of the seed for the simulator's own use (network, faults).</summary>
    internal SimRandom ForkInternal(string purpose) => _root.Fork(purpose);

    /// <summary>Adds a node.</summary>
    /// <param name="name">Unique name (ordinal); used as its host name. Letters, digits, '-', '_' and '.' only.</param>
    /// <exception cref="ArgumentException">The name is empty, malformed or taken.</exception>
    public SimNode AddNode(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')
            {
                throw new ArgumentException($"Node name '{name}' has the character '{c}'; use letters, digits, " +
                    "'-', '_' and '.'.", nameof(name));
            }
        }
        if (_nodesByName.ContainsKey(name))
        {
            throw new ArgumentException($"A node named '{name}' already exists.", nameof(name));
        }
        var node = new SimNode(_executor, _nodes.Count, name, _root.Fork("node/" + name + "/app"));
        _nodes.Add(node);
        _nodesByName.Add(name, node);
        return node;
    }

    /// <summary>Finds a node by name.</summary>
    /// <param name="name">The node's name (ordinal).</param>
    /// <exception cref="KeyNotFoundException">No such node.</exception>
    public SimNode GetNode(string name) =>
        _nodesByName.TryGetValue(name, out SimNode? node) ? node
            : throw new KeyNotFoundException($"No node named '{name}' in this simulation.");

    /// <summary>Returns a sub-stream of the seed for <paramref name="purpose"/> (workload, faults...).</summary>
    /// <param name="purpose">A stable label; the same label always gives the same stream for the same seed.</param>
    public SimRandom CreateRandom(string purpose) => _root.Fork("user/" + purpose);

    /// <summary>Records an application event in the trace (and so in its hash).</summary>
    /// <param name="node">The node it belongs to.</param>
    /// <param name="detail">A number describing it.</param>
    /// <param name="note">A constant label shown in failure reports.</param>
    public void Record(SimNode node, long detail, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _executor.Trace.Record(_executor.Steps, _executor.NowTicks, node.Id, TraceKind.User, detail, note);
    }

    /// <summary>
    /// Runs <paramref name="main"/> on the driver node, and everything it starts, until <paramref name="main"/>'s task
    /// completes. Work still pending then stays queued for the next call.
    /// </summary>
    /// <param name="main">The test's driver code.</param>
    /// <exception cref="SimulationException">The run failed (limit, deadlock, escape, or <paramref name="main"/>
    /// threw, as the inner exception); the message carries the seed, step, virtual time and the last events.
    /// </exception>
    public void Run(Func<Task> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        SynchronizationContext? previous = SynchronizationContext.Current;
        SimExecutor? previousMarker = _executor.DetectForeignThreads
            ? ForeignExecutionDetector.Enter(_executor)
            : ForeignExecutionDetector.Enter(null);
        try
        {
            SimNetLog.RunStarted(Logger, Seed, _options.ScheduleMode, Steps, Elapsed);
            _executor.BindToCurrentThread();
            _escapes.Start();
            Task task = Driver.Start(main);
            var limits = new RunLimits(_executor.Steps + _options.StepsMax, _options.VirtualTimeMax.Ticks);
            bool finished = _executor.RunUntil(() => task.IsCompleted, limits, _escapes);
            // Before calling it a deadlock, give work that escaped to the thread pool a moment of real time to post
            // back, so that the failure names the escape; this costs time only on the failure path.
            if (!finished && _executor.AwaitForeignReport(TimeSpan.FromSeconds(2)) is { } late)
            {
                throw new SimulationEscapeException(late);
            }
            if (!finished)
            {
                throw new SimulationException("Deadlock: no work is ready and no timer is armed, but the main task " +
                    "has not finished (something awaits an event that can never happen).");
            }
            if (_escapes.Check("at the end of the run") is { } escape)
            {
                throw new SimulationEscapeException(escape);
            }
            if (_executor.ForeignReport is { } foreign)
            {
                throw new SimulationEscapeException(foreign);
            }
            if (task.IsFaulted || task.IsCanceled)
            {
                Exception inner = task.Exception?.InnerException ?? new TaskCanceledException(task);
                throw new SimulationException($"The main task failed: {inner.GetType().Name}: {inner.Message}", inner);
            }
        }
        catch (SimulationException exception) when (exception.Seed is null)
        {
            SimNetLog.RunFailed(Logger, Seed, Steps, Elapsed, exception.Message);
            throw WithReport(exception);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            ForeignExecutionDetector.Exit(previousMarker);
        }
    }

    /// <summary>Runs <paramref name="main"/> like <see cref="Run"/> and returns its result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="main">The test's driver code.</param>
    /// <exception cref="SimulationException">As for <see cref="Run"/>.</exception>
    public T Run<T>(Func<Task<T>> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        T result = default!;
        Run(async () =>
        {
            result = await main();
        });
        return result;
    }

    /// <summary>Describes where the run is: seed, step, virtual time, trace hash and the last events.</summary>
    public string Report()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"seed={Seed} step={Steps} virtual={Elapsed} ");
        text.Append(CultureInfo.InvariantCulture, $"traceHash=0x{TraceHash:X16} events={TraceCount}");
        text.AppendLine();
        text.AppendLine("Last events (oldest first):");
        foreach (TraceEvent traceEvent in _executor.Trace.Recent())
        {
            text.Append("  ").AppendLine(traceEvent.ToString());
        }
        return text.ToString();
    }

    private SimulationException WithReport(SimulationException exception)
    {
        string message = exception.Message + Environment.NewLine + Report();
        Exception? inner = exception.InnerException ?? exception;
        SimulationException result = exception is SimulationEscapeException
            ? new SimulationEscapeException(message, inner) { Seed = Seed, Step = Steps, VirtualTime = Elapsed }
            : new SimulationException(message, inner) { Seed = Seed, Step = Steps, VirtualTime = Elapsed };
        return result;
    }
}
