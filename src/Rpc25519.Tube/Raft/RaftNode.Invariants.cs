namespace Rpc25519.Tube.Raft;

/// <summary>Cross-field invariants, checked after every input in every build (cheap, constant time).</summary>
public sealed partial class RaftNode
{
    private void CheckInvariants()
    {
        Require(log.SnapshotIndex <= log.Applied, "the snapshot covers entries that were never applied");
        Require(log.Applied <= log.ApplyingTo, "applied passed what was handed out");
        Require(log.ApplyingTo <= log.Committed, "entries were handed out for applying before they committed");
        Require(log.Committed <= log.LastIndex, "the commit index is beyond the log");
        Require(log.PersistedIndex <= log.LastIndex, "the persisted index is beyond the log");
        Require(Membership.Term <= Term || Role != RaftRole.Leader, "a leader holds a configuration from a later term");
        if (Role == RaftRole.Leader)
        {
            Require(LeaderId == Id, "a leader does not name itself leader");
            Require(Membership.Term == Term, "a leader did not re-stamp its configuration with its term");
            Require(!progress.ContainsKey(Id), "a leader tracks progress for itself");
        }
        else
        {
            Require(progress.Count == 0, "a non-leader keeps follower progress");
        }

        if (Role == RaftRole.Candidate)
        {
            Require(Vote == Id, "a candidate did not vote for itself");
        }
    }

    private void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new RaftInvariantException($"Node {Id} ({Role}, term {Term}): {what}.");
        }
    }
}
