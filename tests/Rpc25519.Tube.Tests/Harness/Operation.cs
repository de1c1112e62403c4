namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// One client operation on a single-key register, as seen by the client: a write of a unique value or a read that
/// returned a value (0 means never written, or deleted); the whole-stack soak also records compare-and-swaps and
/// deletes (<see cref="Kind"/>). Times come from one global event counter; an operation whose outcome is unknown
/// (timed out, node crashed) has <see cref="Return"/> = <see cref="long.MaxValue"/>.
/// </summary>
internal sealed record Operation(int ClientId, int Key, bool IsWrite, long Value, long Call, long Return)
{
    public bool IsPending => Return == long.MaxValue;

    /// <summary>What the operation did; a write or a read unless set (the Raft harness records only those).</summary>
    public OperationKind Kind { get; init; } = IsWrite ? OperationKind.Write : OperationKind.Read;

    /// <summary>Compare-and-swap: the value the key had to hold (0: the key had to be absent). <see cref="Value"/> is
    /// the value it swaps in.</summary>
    public long Expected { get; init; }

    /// <summary>Compare-and-swap: true if it swapped, false if it was refused, null if the outcome is unknown.</summary>
    public bool? Swapped { get; init; }

    /// <summary>A refused compare-and-swap: the value the key held instead (the refusal carries it; 0: absent).</summary>
    public long Observed { get; init; }

    /// <summary>A compare-and-swap (see <see cref="Expected"/>, <see cref="Swapped"/>, <see cref="Observed"/>).</summary>
    public static Operation CompareAndSwap(int client, int key, long expected, long value, bool? swapped,
        long observed, long call, long ret) => new(client, key, IsWrite: true, value, call, ret)
    {
        Kind = OperationKind.CompareAndSwap, Expected = expected, Swapped = swapped, Observed = observed,
    };

    /// <summary>An unconditional delete: afterwards the key reads as 0.</summary>
    public static Operation Delete(int client, int key, long call, long ret) =>
        new(client, key, IsWrite: true, 0, call, ret) { Kind = OperationKind.Delete };
}

/// <summary>The kinds of <see cref="Operation"/>.</summary>
internal enum OperationKind
{
    Write,
    Read,
    CompareAndSwap,
    Delete,
}
