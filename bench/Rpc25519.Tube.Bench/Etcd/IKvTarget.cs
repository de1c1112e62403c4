namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>One system under test, driven the same way for Tube and etcd: writes, linearizable reads and
/// compare-and-swaps of 16-byte keys and 128-byte values.</summary>
internal interface IKvTarget : IAsyncDisposable
{
    /// <summary>The name in the table ("Tube" or "etcd").</summary>
    string Name { get; }

    /// <summary>Writes a key.</summary>
    Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken);

    /// <summary>Reads a key linearizably; returns its version (0 when absent).</summary>
    Task<long> GetAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>Writes a key only if its version is <paramref name="expectedVersion"/>; returns the new version, or
    /// -1 when the version did not match.</summary>
    Task<long> CompareAndSwapAsync(byte[] key, byte[] value, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Durability counters sampled before and after each line (null when the target has none).</summary>
    Task<FsyncCounters?> ReadCountersAsync(CancellationToken cancellationToken);
}

/// <summary>Log fsyncs and group-commit batches summed over the members, and the most any one member did (the
/// leader's).</summary>
internal readonly record struct FsyncCounters(long Syncs, long Batches, long LeaderSyncs)
{
    public static FsyncCounters operator -(FsyncCounters after, FsyncCounters before) =>
        new(after.Syncs - before.Syncs, after.Batches - before.Batches, after.LeaderSyncs - before.LeaderSyncs);
}
