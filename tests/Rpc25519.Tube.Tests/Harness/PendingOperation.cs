namespace Rpc25519.Tube.Tests.Harness;

/// <summary>A client operation in progress: not yet accepted by a node, or accepted and waiting for its
/// answer.</summary>
internal sealed class PendingOperation
{
    public required bool IsWrite { get; init; }

    public required int Key { get; init; }

    public required int Sequence { get; init; }

    /// <summary>The value to write (writes only; unique per run).</summary>
    public long Value { get; init; }

    /// <summary>Give up after this tick (whether or not a node accepted the operation).</summary>
    public required long Deadline { get; init; }

    /// <summary>A read probe's node (0: the client's usual choice).</summary>
    public ulong PreferredNode { get; init; }

    /// <summary>A read probe's mode, drawn when it was created (null: drawn at each try).</summary>
    public bool? Lease { get; init; }

    public bool Invoked { get; set; }

    public ulong Node { get; set; }

    public ulong RequestId { get; set; }

    public long Call { get; set; }
}
