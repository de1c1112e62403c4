namespace Rpc25519.Tube.Raft;

/// <summary>
/// The Raft consensus core as a pure, deterministic state machine (after etcd's raft): it owns no threads, timers,
/// sockets, files or clock, and its only randomness is the seeded <see cref="RaftOptions.Random"/>.
/// Inputs are <see cref="Tick"/>, <see cref="Step"/>, <see cref="Propose"/>, <see cref="ProposeMembershipChange"/>,
/// <see cref="ReadIndex"/>/<see cref="LeaseRead"/>, <see cref="TransferLeadership"/> and <see cref="Compact"/>;
/// the output is a <see cref="Ready"/> batch, acknowledged with <see cref="Advance"/>. See docs/tube-raft.md for the
/// host loop. Not thread-safe: one caller (the host loop) owns the instance and calls it sequentially.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftOptions options;
    private readonly Random random;
    private readonly RaftLog log = new();

    /// <summary>Messages produced since the last <see cref="GetReady"/>; sent by the host after persisting.</summary>
    private List<RaftMessage> outbox = [];

    /// <summary>Read states produced since the last <see cref="GetReady"/>.</summary>
    private List<ReadState> readStates = [];

    /// <summary>The role-specific message handler, swapped by the Become methods.</summary>
    private Action<RaftMessage> stepRole;

    /// <summary>The role-specific tick handler, swapped by the Become methods.</summary>
    private Action tickRole;

    /// <summary>Ticks since the leader was last heard (followers) or since the last check-quorum round
    /// (leader).</summary>
    private int electionElapsed;

    /// <summary>Ticks since the last heartbeat broadcast (leader only).</summary>
    private int heartbeatElapsed;

    /// <summary>This round's election timeout, drawn from the seeded source.</summary>
    private int randomizedElectionTimeout;

    /// <summary>Ticks since construction, capped at the election timeout (restart quiet period).</summary>
    private int ticksSinceStart;

    /// <summary>Ticks since construction; the leader's lease clock.</summary>
    private long now;

    /// <summary>The hard state last handed to the host.</summary>
    private HardState handedHardState;

    /// <summary>The configuration changed since the last <see cref="GetReady"/>.</summary>
    private bool membershipDirty;

    /// <summary>A snapshot received from the leader, to hand out in the next <see cref="Ready"/>.</summary>
    private RaftSnapshot? snapshotToInstall;

    /// <summary>A <see cref="Ready"/> is out and <see cref="Advance"/> has not been called yet.</summary>
    private bool readyOutstanding;

    /// <summary>Creates a node, fresh or restarted from what the host persisted.</summary>
    /// <param name="options">Validated here; the node keeps and owns the instance (and its random source).</param>
    /// <param name="restored">The persisted state to restart from, or null for a brand-new node.</param>
    public RaftNode(RaftOptions options, RaftPersistentState? restored = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        random = options.Random!;
        Id = options.NodeId;
        Membership = options.InitialMembership;
        membershipDirty = true;
        if (restored is not null)
        {
            log.Load(restored.Snapshot, restored.Entries, restored.HardState.Commit);
            Term = restored.HardState.Term;
            Vote = restored.HardState.VotedFor;
            if (restored.Membership.IsNewerThan(Membership))
            {
                Membership = restored.Membership;
                membershipDirty = false;
            }
        }

        handedHardState = CurrentHardState;
        stepRole = StepFollower;
        tickRole = TickElection;
        BecomeFollower(Term, 0);
    }

    /// <summary>This node's id.</summary>
    public ulong Id { get; }

    /// <summary>The current term.</summary>
    public long Term { get; private set; }

    /// <summary>The node voted for in <see cref="Term"/>, or 0.</summary>
    public ulong Vote { get; private set; }

    /// <summary>The current role.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>The leader of <see cref="Term"/> as far as this node knows, or 0.</summary>
    public ulong LeaderId { get; private set; }

    /// <summary>The current configuration (this node's copy; the leader's is authoritative).</summary>
    public Membership Membership { get; private set; }

    /// <summary>The index of the last log entry.</summary>
    public long LastIndex => log.LastIndex;

    /// <summary>The commit index.</summary>
    public long CommitIndex => log.Committed;

    /// <summary>The highest index the host has applied (as confirmed by <see cref="Advance"/>).</summary>
    public long AppliedIndex => log.Applied;

    /// <summary>The last index covered by this node's newest snapshot (0 if none).</summary>
    public long SnapshotIndex => log.SnapshotIndex;

    internal RaftLog Log => log;

    private HardState CurrentHardState => new(Term, Vote, log.Committed);

    private int ElectionTimeout => options.ElectionTimeoutTicks;

    /// <summary>Advances logical time by one tick: election timeouts, heartbeats, check-quorum, lease clock.</summary>
    public void Tick()
    {
        now++;
        if (ticksSinceStart < ElectionTimeout)
        {
            ticksSinceStart++;
        }

        tickRole();
        CheckInvariants();
    }

    /// <summary>
    /// Feeds one message from another node. Safe with duplicated, late or reordered messages. The message is shared
    /// and must not be changed afterwards. Throws <see cref="RaftInvariantException"/> on impossible situations.
    /// </summary>
    /// <param name="message">A message whose <see cref="RaftMessage.To"/> is this node.</param>
    public void Step(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != Id || message.From == 0 || message.From == Id)
        {
            throw new ArgumentException($"Message {message} is not addressed to node {Id} from a peer.",
                nameof(message));
        }

        if (Role != RaftRole.Leader && message.Membership is { } offered && offered.IsNewerThan(Membership))
        {
            // Mongo-Raft-Reconfig spreads configurations by gossip: a non-leader adopts a newer one from any message,
            // whatever its term (the (term, version) order alone makes that safe; a stale-term refusal may be the
            // only way a node learns it was removed). A campaign started under the old configuration is abandoned.
            Membership = offered;
            membershipDirty = true;
            if (Role != RaftRole.Follower)
            {
                BecomeFollower(Term, 0);
            }
        }

        if (message.Term > Term)
        {
            bool isVoteRequest = message.Type is RaftMessageType.PreVote or RaftMessageType.Vote;
            if (isVoteRequest && !message.Transfer && InVoteLease())
            {
                return; // Sticky leader: a leader is being heard (or we just restarted), so ignore the request.
            }

            bool keepsTerm = message.Type == RaftMessageType.PreVote
                || (message.Type == RaftMessageType.PreVoteResponse && !message.Reject);
            if (!keepsTerm)
            {
                BecomeFollower(message.Term, IsFromLeader(message) ? message.From : 0);
            }
        }
        else if (message.Term < Term)
        {
            RespondToStale(message);
            return;
        }

        if (message.Type is RaftMessageType.PreVote or RaftMessageType.Vote)
        {
            HandleVoteRequest(message);
            CheckInvariants();
            return;
        }

        stepRole(message);
        CheckInvariants();
    }

    private static bool IsFromLeader(RaftMessage message) =>
        message.Type is RaftMessageType.Append or RaftMessageType.Heartbeat or RaftMessageType.SnapshotChunk;

    /// <summary>True while this node must not grant (pre-)votes: it hears a leader, or it restarted recently.</summary>
    private bool InVoteLease() =>
        (LeaderId != 0 && electionElapsed < ElectionTimeout) || ticksSinceStart < ElectionTimeout;

    private void RespondToStale(RaftMessage message)
    {
        if (IsFromLeader(message))
        {
            // Tell a deposed leader about the newer term so it steps down (needed with check-quorum and pre-vote).
            Send(message.From, RaftMessageType.AppendResponse);
        }
        else if (message.Type == RaftMessageType.PreVote)
        {
            Send(message.From, RaftMessageType.PreVoteResponse, reject: true);
        }
    }

    private void Send(ulong to, RaftMessageType type, bool reject = false) =>
        Send(new RaftMessage { Type = type, To = to, Reject = reject, Membership = Membership });

    private void Send(RaftMessage message)
    {
        var stamped = message with { From = Id, Term = message.Term == 0 ? Term : message.Term };
        outbox.Add(stamped);
    }

    private void ResetElectionTimer()
    {
        electionElapsed = 0;
        heartbeatElapsed = 0;
        int spread = ElectionTimeout * Math.Max(1, Membership.Voters.Count - 2);
        randomizedElectionTimeout = ElectionTimeout + random.Next(spread);
    }
}
