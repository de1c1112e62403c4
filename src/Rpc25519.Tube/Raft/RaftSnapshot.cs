namespace Rpc25519.Tube.Raft;

/// <summary>
/// A state-machine snapshot that replaces every log entry up to and including <see cref="Index"/>.
/// Immutable: the data buffer belongs to the snapshot once constructed and nobody may change it. Thread-safe.
/// </summary>
public sealed class RaftSnapshot
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="index">The last log index the snapshot covers (at least 1).</param>
    /// <param name="term">The term of the entry at <paramref name="index"/>.</param>
    /// <param name="data">The serialized state machine. Ownership passes to the snapshot.</param>
    public RaftSnapshot(long index, long term, ReadOnlyMemory<byte> data)
    {
        if (index < 1 || term < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(index),
                "A snapshot covers at least index 1 of term 1 or later.");
        }

        Index = index;
        Term = term;
        Data = data;
    }

    /// <summary>The last log index the snapshot covers.</summary>
    public long Index { get; }

    /// <summary>The term of the entry at <see cref="Index"/>.</summary>
    public long Term { get; }

    /// <summary>The serialized state machine.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}
