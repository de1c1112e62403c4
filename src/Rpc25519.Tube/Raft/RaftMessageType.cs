namespace Rpc25519.Tube.Raft;

/// <summary>The kinds of messages Raft nodes exchange.</summary>
public enum RaftMessageType
{
    /// <summary>Asks whether the sender could win an election at <see cref="RaftMessage.Term"/>; changes no
    /// state.</summary>
    PreVote = 0,

    /// <summary>Answer to <see cref="PreVote"/>.</summary>
    PreVoteResponse = 1,

    /// <summary>A real vote request (RequestVote).</summary>
    Vote = 2,

    /// <summary>Answer to <see cref="Vote"/>.</summary>
    VoteResponse = 3,

    /// <summary>Log entries after (<see cref="RaftMessage.LogIndex"/>, <see cref="RaftMessage.LogTerm"/>).</summary>
    Append = 4,

    /// <summary>Answer to <see cref="Append"/> or to a completed snapshot: the follower's match index or a rejection
    /// hint.</summary>
    AppendResponse = 5,

    /// <summary>Leader liveness ping carrying the commit index, the read round and the leader's tick.</summary>
    Heartbeat = 6,

    /// <summary>Answer to <see cref="Heartbeat"/>; echoes the read round and tick, and gives the follower's last index
    /// and term.</summary>
    HeartbeatResponse = 7,

    /// <summary>One chunk of a snapshot.</summary>
    SnapshotChunk = 8,

    /// <summary>Acknowledges snapshot bytes received so far (<see cref="RaftMessage.ChunkOffset"/>).</summary>
    SnapshotChunkResponse = 9,

    /// <summary>A follower forwards a read request to the leader.</summary>
    ReadIndex = 10,

    /// <summary>The leader's answer to <see cref="ReadIndex"/>.</summary>
    ReadIndexResponse = 11,

    /// <summary>Leadership transfer: the receiver campaigns at once, bypassing pre-vote and stickiness.</summary>
    TimeoutNow = 12,
}
