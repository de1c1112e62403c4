namespace Rpc25519.Tube.Raft;

/// <summary>The role a <see cref="RaftNode"/> currently plays. Values are plain data; no thread-safety
/// concerns.</summary>
public enum RaftRole
{
    /// <summary>Follows a leader (or waits for one); the starting role.</summary>
    Follower = 0,

    /// <summary>Asks for pre-votes at the next term without changing its own term (pre-vote is always on).</summary>
    PreCandidate = 1,

    /// <summary>Has incremented its term and asks for real votes.</summary>
    Candidate = 2,

    /// <summary>Accepts proposals, replicates the log and decides the commit index.</summary>
    Leader = 3,
}
