namespace Rpc25519.Tube.Hosting;

/// <summary>The Rpc25519 service names a replica registers.</summary>
public static class TubeServiceNames
{
    /// <summary>One-way Raft messages between replicas.</summary>
    public const string Raft = "tube.raft";

    /// <summary>Two-way client requests (commands, reads, status, membership).</summary>
    public const string Client = "tube.client";
}
