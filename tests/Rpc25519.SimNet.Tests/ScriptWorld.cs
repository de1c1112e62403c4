using System.Globalization;
using System.Text;
using Rpc25519.Messages;
using Rpc25519.SimNet;

namespace Rpc25519.SimNet.Tests;

/// <summary>
/// The state a scenario script drives: a simulation whose nodes each run an echo server on port 5000, clients by
/// (from, to), and a stack of undos. Each command runs the simulation until its own work is done and returns the
/// text the script expects.
/// </summary>
internal sealed class ScriptWorld
{
    private readonly Dictionary<string, SimNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), RpcClient> _clients = [];
    private readonly Stack<SimUndo> _undos = new();
    private Simulation? _sim;
    private SimNetwork? _net;

    private Simulation Sim => _sim ?? throw new InvalidOperationException("start the script with 'nodes ...'");

    private SimNetwork Net => _net!;

    public string Execute(string command, string[] args) => command switch
    {
        "nodes" => Nodes(args),
        "connect" => Connect(args[0], args[1]),
        "call" => Call(args[0], args[1], args[2], Option(args, "timeout", "20s")),
        "fault-circuit" => Push(Net.FaultCircuit(Node(args[0]), args[1] == "*" ? null : Node(args[1]), Spec(args))),
        "fault-host" => Push(Net.FaultHost(Node(args[0]), Spec(args))),
        "isolate" => Push(Net.Isolate(Node(args[0]))),
        "power-off" => Net.PowerOff(Node(args[0])).Description,
        "power-on" => PowerOn(args[0]),
        "skew" => Push(Net.SkewClock(Node(args[0]), Duration(args[1]),
            double.Parse(args[2], CultureInfo.InvariantCulture))),
        "duplicate" => Push(Net.Duplicate(Node(args[0]), double.Parse(args[1], CultureInfo.InvariantCulture))),
        "spike" => Push(Net.SpikeLatency(Node(args[0]), Duration(args[1]))),
        "undo" => Undo(),
        "repair-circuit" => $"resent {Net.RepairCircuit(Node(args[0]), null, args.Contains("deliver"))}",
        "heal" => $"resent {Net.AllHealthy(powerOnIfOff: true, args.Contains("deliver"))}",
        "sleep" => Sleep(Duration(args[0])),
        "lost" => Lost(args[0]),
        "clock" => string.Join("; ", args.Select(Clock)),
        _ => throw new InvalidOperationException($"unknown script command '{command}'"),
    };

    private string Nodes(string[] args)
    {
        ulong seed = ulong.Parse(Option(args, "seed", "1"), CultureInfo.InvariantCulture);
        _sim = new Simulation(new SimulationOptions { Seed = seed });
        _net = new SimNetwork(_sim);
        foreach (string name in args.Where(a => !a.Contains('=', StringComparison.Ordinal)))
        {
            _nodes[name] = _sim.AddNode(name);
        }
        Sim.Run(() => Task.WhenAll(_nodes.Values.Select(StartServer)));
        return $"{_nodes.Count} nodes serving echo on port 5000";
    }

    private Task StartServer(SimNode node) => Harness.EchoServer.StartAsync(Net, node);

    private string Connect(string from, string to)
    {
        SimNode node = Node(from);
        return Outcome(() => node.Start(async () =>
        {
            RpcOptions config = Net.CreateOptions(node);
            config.ServerAddress = $"{to}:5000";
            config.ConnectTimeout = TimeSpan.FromSeconds(2);
            RpcClient client = await RpcClient.ConnectAsync(config);
            _clients[(from, to)] = client;
            return "connected";
        }));
    }

    private string Call(string from, string to, string text, string timeout)
    {
        SimNode node = Node(from);
        RpcClient client = _clients[(from, to)];
        return Outcome(() => node.Start(async () =>
        {
            var request = new Message { Payload = Encoding.UTF8.GetBytes(text) };
            request.Header.ServiceName = "echo";
            request.Header.Deadline = node.TimeProvider.GetUtcNow() + Duration(timeout);
            Message reply = await client.CallAsync(request);
            return "reply " + Encoding.UTF8.GetString(reply.Payload);
        }));
    }

    /// <summary>Runs one operation and prints its result or error type, with the virtual time it took.</summary>
    private string Outcome(Func<Task<string>> operation)
    {
        TimeSpan start = Sim.Elapsed;
        string result = Sim.Run(async () =>
        {
            try
            {
                return await operation();
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                return "error " + e.GetType().Name;
            }
        });
        return string.Create(CultureInfo.InvariantCulture,
            $"{result} after {(Sim.Elapsed - start).TotalMilliseconds:F1} ms");
    }

    private string PowerOn(string name)
    {
        SimNode node = Node(name);
        Net.PowerOn(node);
        Sim.Run(() => StartServer(node));
        return $"power on {name}: incarnation {node.Incarnation}, server restarted";
    }

    private string Push(SimUndo undo)
    {
        _undos.Push(undo);
        return undo.Description;
    }

    private string Undo()
    {
        SimUndo undo = _undos.Pop();
        undo.Undo();
        return "undone: " + undo.Description;
    }

    private string Sleep(TimeSpan duration)
    {
        Sim.Run(() => Task.Delay(duration, Sim.Driver.TimeProvider));
        return string.Create(CultureInfo.InvariantCulture, $"now {Sim.Elapsed.TotalMilliseconds:F1} ms");
    }

    private string Lost(string name)
    {
        SimHostSnapshot host = Net.Snapshot().Host(name);
        string Reasons(IReadOnlyList<SimMessageSnapshot> messages) =>
            messages.Count == 0 ? "none" : string.Join(", ", messages.Select(m => m.LostReason));
        return $"lost sends: {Reasons(host.LostSends)}; deaf reads: {Reasons(host.DeafReads)}";
    }

    private string Clock(string name)
    {
        TimeSpan ahead = Node(name).TimeProvider.GetUtcNow() - VirtualTimeProvider.Epoch - Sim.Elapsed;
        return string.Create(CultureInfo.InvariantCulture, $"{name} {ahead.TotalMilliseconds:F1} ms ahead");
    }

    private SimNode Node(string name) => _nodes[name];

    private static DropDeafSpec Spec(string[] args)
    {
        string? drop = args.FirstOrDefault(a => a.StartsWith("drop=", StringComparison.Ordinal));
        string? deaf = args.FirstOrDefault(a => a.StartsWith("deaf=", StringComparison.Ordinal));
        return new DropDeafSpec(
            drop is null ? null : double.Parse(drop[5..], CultureInfo.InvariantCulture),
            deaf is null ? null : double.Parse(deaf[5..], CultureInfo.InvariantCulture));
    }

    private static string Option(string[] args, string name, string fallback) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;

    private static TimeSpan Duration(string text)
    {
        if (text.EndsWith("ms", StringComparison.Ordinal))
        {
            return TimeSpan.FromMilliseconds(double.Parse(text[..^2], CultureInfo.InvariantCulture));
        }
        if (text.EndsWith('s'))
        {
            return TimeSpan.FromSeconds(double.Parse(text[..^1], CultureInfo.InvariantCulture));
        }
        throw new FormatException($"duration '{text}' needs a unit: ms or s");
    }
}
