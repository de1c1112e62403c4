namespace Rpc25519.Tube.Raft;

/// <summary>
/// Reassembles one snapshot from chunks sent in order by one leader. Not thread-safe; owned by a follower's node.
/// The buffer is allocated once at the announced size, which the node bounds by
/// <see cref="RaftOptions.SnapshotBytesMax"/>.
/// </summary>
internal sealed class SnapshotReceiver
{
    private readonly byte[] buffer;

    public SnapshotReceiver(long leaderTerm, long index, long term, long length)
    {
        LeaderTerm = leaderTerm;
        Index = index;
        Term = term;
        buffer = new byte[length];
    }

    public long LeaderTerm { get; }

    public long Index { get; }

    public long Term { get; }

    /// <summary>Bytes received so far, contiguous from offset 0.</summary>
    public long Received { get; private set; }

    public bool IsComplete => Received == buffer.Length;

    /// <summary>True if the chunk belongs to the snapshot being received.</summary>
    public bool Matches(RaftMessage chunk) =>
        chunk.Term == LeaderTerm && chunk.SnapshotIndex == Index && chunk.SnapshotTerm == Term
        && chunk.SnapshotLength == buffer.Length;

    /// <summary>Takes the chunk if it starts exactly where the received bytes end; ignores duplicates and
    /// gaps.</summary>
    public void Accept(RaftMessage chunk)
    {
        if (chunk.ChunkOffset != Received || Received + chunk.ChunkData.Length > buffer.Length)
        {
            return;
        }

        chunk.ChunkData.Span.CopyTo(buffer.AsSpan((int)Received));
        Received += chunk.ChunkData.Length;
    }

    public RaftSnapshot Build() => new(Index, Term, buffer);
}
