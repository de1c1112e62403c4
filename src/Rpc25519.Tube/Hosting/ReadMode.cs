namespace Rpc25519.Tube.Hosting;

/// <summary>How fresh a read must be.</summary>
public enum ReadMode
{
    /// <summary>Linearizable: the replica asks the leader for a read index confirmed by a quorum round (ReadIndex),
    /// waits until it has applied that index, then answers. Works on followers too.</summary>
    Linearizable = 0,

    /// <summary>Linearizable as long as clocks drift less than the lease bound: the leader answers without a quorum
    /// round while its lease holds. Opt in only when tick rates are known to agree.</summary>
    Lease = 1,

    /// <summary>Whatever the contacted replica has applied, at once: may be arbitrarily old.</summary>
    Stale = 2,
}
