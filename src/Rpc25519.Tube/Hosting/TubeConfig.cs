using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// One replica's settings as the <c>tube</c> tool's config file writes them, with the original's field names
/// (<c>(tubeConfig …)</c> s-expressions or JSON; see <see cref="TubeConfigFile"/> and docs/tube-service.md). Nodes are
/// named; each name maps to a stable node id (<see cref="NodeIdOf"/>).
/// </summary>
public sealed class TubeConfig
{
    /// <summary>A free-form name of this config (informational).</summary>
    public string ConfigName { get; set; } = "";

    /// <summary>The cluster's name; the default data directory is <c>…/tube/&lt;ClusterID&gt;/&lt;MyName&gt;</c>.
    /// Required.</summary>
    public string ClusterID { get; set; } = "";

    /// <summary>This node's name; must be a key of <see cref="Node2Addr"/>. Required.</summary>
    public string MyName { get; set; } = "";

    /// <summary>Every member's name and Rpc25519 address (<c>host:port</c>), this node's included; list future
    /// members too. An address without a host (<c>":7000"</c>) means 127.0.0.1 (see <see cref="AddressOf"/>).</summary>
    public IDictionary<string, string> Node2Addr { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>This node's data directory; empty: <c>$XDG_STATE_HOME/tube/&lt;ClusterID&gt;/&lt;MyName&gt;</c>
    /// (<c>~/.local/state/tube/…</c> without XDG_STATE_HOME). See <see cref="ResolveDataDirectory"/>.</summary>
    public string DataDir { get; set; } = "";

    /// <summary>The heartbeat period, which is also the Raft tick. Default 200 ms; at least 5 ms.</summary>
    public TimeSpan HeartbeatDur { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The minimum election timeout, also the leader's lease. Default 1200 ms; at least 50 ms, at least
    /// 5× <see cref="HeartbeatDur"/> and more than 2× <see cref="ClockDriftBound"/>.</summary>
    public TimeSpan MinElectionDur { get; set; } = TimeSpan.FromMilliseconds(1200);

    /// <summary>How much the clocks' rates may differ over one lease; subtracted from leases. Default 500 ms; at most
    /// 60 s.</summary>
    public TimeSpan ClockDriftBound { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The node that bootstraps a brand-new cluster (a key of <see cref="Node2Addr"/>, or empty). When set,
    /// a new cluster starts with this node as its only voter: it elects itself, and every other node starts with an
    /// empty configuration and waits until it is added (<c>tubeadd NAME</c>, or <c>tube -add</c>), as in the
    /// original. When empty, a new cluster starts with every node of <see cref="Node2Addr"/> as a voter. Ignored once
    /// a node's storage holds a configuration.</summary>
    public string InitialLeaderName { get; set; } = "";

    /// <summary>Compact the log (take a snapshot) once the commands applied since the last snapshot hold this many
    /// bytes, and at least as many as that snapshot (default 6 MiB; <see cref="TubeReplicaOptions.SnapshotEveryBytes"/>).</summary>
    public long CompactionThresholdBytes { get; set; } = 6L << 20;

    /// <summary>Turns log compaction (snapshots) off.</summary>
    public bool NoLogCompaction { get; set; }

    /// <summary>A file holding the replica key (<see cref="TubeReplicaOptions.ReplicaKey"/>: its bytes, at least 32,
    /// the same file content on every replica; for example <c>head -c 32 /dev/urandom &gt; replica.key</c>), or empty
    /// (the default): Raft messages untagged. A relative path is relative to the working directory; <c>~</c> is the
    /// home directory.</summary>
    public string ReplicaKeyPath { get; set; } = "";

    /// <summary>The nested Rpc25519 settings (<c>RpcCfg: (rpc25519_Config …)</c>): transport, TLS keys, etc. Its
    /// listen address defaults to this node's entry in <see cref="Node2Addr"/>.</summary>
    public RpcOptions RpcCfg { get; set; } = new();

    /// <summary>The node id a name maps to: the first 8 bytes of its SHA-256 (never 0), the same on every node.</summary>
    /// <param name="name">A node name.</param>
    /// <returns>The id.</returns>
    public static ulong NodeIdOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ulong id = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        return id == 0 ? 1 : id;
    }

    /// <summary>The address of node <paramref name="name"/> from <see cref="Node2Addr"/>, with 127.0.0.1 put in when
    /// the host is omitted (<c>":7000"</c>). Unlike the original, an omitted host never means every interface.</summary>
    /// <param name="name">A key of <see cref="Node2Addr"/>.</param>
    /// <returns>The <c>host:port</c> address.</returns>
    /// <exception cref="KeyNotFoundException">The name is not in <see cref="Node2Addr"/>.</exception>
    public string AddressOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Node2Addr.TryGetValue(name, out string? address))
        {
            throw new KeyNotFoundException($"'{name}' is not a node of this config; known: {string.Join(", ", Node2Addr.Keys)}.");
        }

        return address.StartsWith(':') ? "127.0.0.1" + address : address;
    }

    /// <summary>This node's data directory: <see cref="DataDir"/> if set, else
    /// <c>$XDG_STATE_HOME/tube/&lt;ClusterID&gt;/&lt;MyName&gt;</c> or <c>~/.local/state/tube/…</c>.</summary>
    /// <returns>The full path.</returns>
    public string ResolveDataDirectory()
    {
        if (!string.IsNullOrEmpty(DataDir))
        {
            return Path.GetFullPath(ExpandHome(DataDir));
        }

        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return Path.GetFullPath(Path.Combine(state, "tube", ClusterID, MyName));
    }

    /// <summary>Checks the settings (the original's start-up checks).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; <see cref="ArgumentException.ParamName"/> is the
    /// field's name and the message says what to do.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(ClusterID), nameof(ClusterID), "ClusterID is required; name the cluster.");
        Require(!string.IsNullOrWhiteSpace(MyName), nameof(MyName), "MyName is required; give this node's name.");
        Require(Node2Addr.Count > 0, nameof(Node2Addr), "Node2Addr is empty; list every member's \"name\": \"host:port\".");
        Require(Node2Addr.ContainsKey(MyName), nameof(MyName),
            $"MyName '{MyName}' is not a key of Node2Addr ({string.Join(", ", Node2Addr.Keys)}); add it or fix the name.");
        Require(Node2Addr.All(p => !string.IsNullOrWhiteSpace(p.Key) && p.Value.Contains(':', StringComparison.Ordinal)),
            nameof(Node2Addr), "every Node2Addr entry needs a name and a host:port address.");
        Require(Node2Addr.Keys.Select(NodeIdOf).Distinct().Count() == Node2Addr.Count, nameof(Node2Addr),
            "two Node2Addr names map to the same node id; rename one.");
        Require(string.IsNullOrEmpty(InitialLeaderName) || Node2Addr.ContainsKey(InitialLeaderName),
            nameof(InitialLeaderName), $"InitialLeaderName '{InitialLeaderName}' is not a key of Node2Addr.");
        Require(HeartbeatDur >= TimeSpan.FromMilliseconds(5), nameof(HeartbeatDur), "HeartbeatDur must be at least 5ms.");
        Require(MinElectionDur >= TimeSpan.FromMilliseconds(50) && MinElectionDur >= 5 * HeartbeatDur,
            nameof(MinElectionDur), "MinElectionDur must be at least 50ms and at least 5 x HeartbeatDur.");
        Require(ClockDriftBound >= TimeSpan.Zero && ClockDriftBound <= TimeSpan.FromSeconds(60), nameof(ClockDriftBound),
            "ClockDriftBound must be between 0 and 60s.");
        Require(MinElectionDur > 2 * ClockDriftBound, nameof(MinElectionDur),
            "MinElectionDur must be more than 2 x ClockDriftBound.");
        Require(CompactionThresholdBytes > 0, nameof(CompactionThresholdBytes), "CompactionThresholdBytes must be positive.");
    }

    /// <summary>The replica settings this config gives (without storage: open a <see cref="FileRaftStorage"/> in
    /// <see cref="ResolveDataDirectory"/>, or use <see cref="TubeConfigFile.StartReplicaAsync"/>). The tick is
    /// <see cref="HeartbeatDur"/>; the election timeout and drift are rounded up to whole ticks.</summary>
    /// <returns>New options.</returns>
    /// <exception cref="ArgumentException">The config is invalid (see <see cref="Validate"/>).</exception>
    public TubeReplicaOptions ToReplicaOptions()
    {
        Validate();
        var members = new SortedDictionary<ulong, string>();
        foreach (KeyValuePair<string, string> member in Node2Addr)
        {
            members[NodeIdOf(member.Key)] = AddressOf(member.Key);
        }

        RpcOptions rpc = RpcCfg.Clone();
        if (string.IsNullOrEmpty(rpc.ListenAddress))
        {
            rpc.ListenAddress = AddressOf(MyName);
        }

        var options = new TubeReplicaOptions
        {
            NodeId = NodeIdOf(MyName),
            Members = members,
            Rpc = rpc,
            TickInterval = HeartbeatDur,
            HeartbeatTicks = 1,
            ElectionTimeoutTicks = (int)Math.Ceiling(MinElectionDur / HeartbeatDur),
            LeaseDriftTicks = (int)Math.Ceiling(ClockDriftBound / HeartbeatDur),
            SnapshotEveryEntries = 0,
            SnapshotEveryBytes = NoLogCompaction ? 0 : CompactionThresholdBytes,
            ReplicaKey = string.IsNullOrEmpty(ReplicaKeyPath) ? null : ReadReplicaKey(),
        };
        TimeSpan drift = ClockDriftBound;
        options.CreateStateMachines = () =>
            StateMachineSet.WithKv(new StateMachineOptions { LeaseClockDriftBound = drift });
        if (!string.IsNullOrEmpty(InitialLeaderName))
        {
            options.InitialVoters = [NodeIdOf(InitialLeaderName)];
        }

        return options;
    }

    private byte[] ReadReplicaKey()
    {
        string path = ExpandHome(ReplicaKeyPath);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"ReplicaKeyPath '{path}' cannot be read ({e.Message}); give every replica the " +
                "same key file, or leave ReplicaKeyPath empty.", nameof(ReplicaKeyPath), e);
        }
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;

    private static void Require(bool ok, string field, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message, field);
        }
    }
}
