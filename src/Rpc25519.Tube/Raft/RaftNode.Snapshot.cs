namespace Rpc25519.Tube.Raft;

/// <summary>Compaction, and sending and receiving snapshots in chunks.</summary>
public sealed partial class RaftNode
{
    /// <summary>The snapshot being received from the leader, if any.</summary>
    private SnapshotReceiver? receiver;

    /// <summary>
    /// Drops the log up to <paramref name="index"/> (at most <see cref="AppliedIndex"/>), keeping the host's snapshot
    /// of the state machine at that index to send to followers that fall behind. The host must also persist the
    /// snapshot and drop the covered entries from its own storage (the core does not hand this back in a Ready).
    /// </summary>
    /// <param name="index">The last applied index the snapshot covers.</param>
    /// <param name="data">The serialized state machine at <paramref name="index"/>; ownership passes to the
    /// node.</param>
    /// <returns>The snapshot that now forms the log's base.</returns>
    public RaftSnapshot Compact(long index, ReadOnlyMemory<byte> data)
    {
        var snapshot = new RaftSnapshot(index, log.Term(index), data);
        log.Compact(snapshot);
        return snapshot;
    }

    private bool SendSnapshot(ulong peer, Progress pr)
    {
        var snapshot = log.Snapshot
            ?? throw new RaftInvariantException($"Node {Id} must send a snapshot to {peer} but has none.");
        pr.BecomeSnapshot(snapshot);
        SendChunk(peer, pr);
        return true;
    }

    private void SendChunk(ulong peer, Progress pr)
    {
        var snapshot = pr.Snapshot!;
        int offset = (int)pr.SnapshotOffset;
        int length = Math.Min(options.SnapshotChunkBytes, snapshot.Data.Length - offset);
        Send(new RaftMessage
        {
            Type = RaftMessageType.SnapshotChunk, To = peer,
            SnapshotIndex = snapshot.Index, SnapshotTerm = snapshot.Term,
            ChunkOffset = offset, SnapshotLength = snapshot.Data.Length,
            ChunkData = snapshot.Data.Slice(offset, length),
            Membership = Membership,
        });
    }

    private void HandleChunkResponse(RaftMessage message, Progress pr)
    {
        if (pr.State != ProgressState.Snapshot || message.SnapshotIndex != pr.Snapshot!.Index)
        {
            return;
        }

        if (message.Reject)
        {
            pr.BecomeProbe();
            return;
        }

        // The follower says how much it holds. It may hold less than we thought (it restarted and lost the partial
        // snapshot), so follow its count in both directions.
        if (message.ChunkOffset != pr.SnapshotOffset && message.ChunkOffset < pr.Snapshot.Data.Length)
        {
            pr.SnapshotOffset = message.ChunkOffset;
            SendChunk(message.From, pr);
        }
    }

    private void HandleChunk(RaftMessage message)
    {
        if (message.SnapshotIndex <= log.Committed)
        {
            receiver = null; // We already have it; tell the leader where we are.
            Send(new RaftMessage { Type = RaftMessageType.AppendResponse, To = message.From, LogIndex = log.Committed,
                Membership = Membership });
            return;
        }

        if (message.SnapshotLength > options.SnapshotBytesMax)
        {
            Send(new RaftMessage { Type = RaftMessageType.SnapshotChunkResponse, To = message.From, Reject = true,
                SnapshotIndex = message.SnapshotIndex, Membership = Membership });
            return;
        }

        if (receiver is null || !receiver.Matches(message))
        {
            if (message.ChunkOffset != 0)
            {
                Send(new RaftMessage { Type = RaftMessageType.SnapshotChunkResponse, To = message.From,
                    SnapshotIndex = message.SnapshotIndex, ChunkOffset = 0, Membership = Membership });
                return;
            }

            receiver = new SnapshotReceiver(message.Term, message.SnapshotIndex, message.SnapshotTerm,
                message.SnapshotLength);
        }

        receiver.Accept(message);
        if (!receiver.IsComplete)
        {
            Send(new RaftMessage { Type = RaftMessageType.SnapshotChunkResponse, To = message.From,
                SnapshotIndex = message.SnapshotIndex, ChunkOffset = receiver.Received, Membership = Membership });
            return;
        }

        InstallSnapshot(receiver.Build());
        receiver = null;
        Send(new RaftMessage
        {
            Type = RaftMessageType.AppendResponse, To = message.From, LogIndex = message.SnapshotIndex,
            Membership = Membership,
        });
    }

    private void InstallSnapshot(RaftSnapshot snapshot)
    {
        if (log.MatchTerm(snapshot.Index, snapshot.Term))
        {
            log.CommitTo(snapshot.Index); // Our log already holds it; just move the commit index.
            return;
        }

        log.Restore(snapshot);
        snapshotToInstall = snapshot;
    }
}
