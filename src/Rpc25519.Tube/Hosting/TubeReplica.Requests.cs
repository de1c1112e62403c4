using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Hosting;

/// <summary>Client requests: commands, reads in three modes, status, membership.</summary>
public sealed partial class TubeReplica
{
    private readonly Dictionary<ulong, ClientRead> reads = [];
    private readonly List<ClientRead> appliedWaits = [];
    private ulong nextReadId;

    private void HandleRequest(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        switch (request.Kind)
        {
            case TubeRequestKind.Submit:
                Submit(request, completion);
                break;
            case TubeRequestKind.Read:
                Read(request, completion);
                break;
            case TubeRequestKind.Status:
                completion.TrySetResult(new TubeResponse
                {
                    Status = BuildStatus(), LeaderId = node.LeaderId, LeaderAddress = AddressOf(node.LeaderId),
                });
                break;
            case TubeRequestKind.Watch:
                Watch(request, completion);
                break;
            case TubeRequestKind.AwaitReply:
                AwaitReply(request, completion);
                break;
            case TubeRequestKind.ChangeMembership:
                ChangeMembership(request, completion);
                break;
            case TubeRequestKind.ForceMembership:
                ForceMembership(request, completion);
                break;
            case TubeRequestKind.ClearMembership:
                HostLog.MembershipCleared(logger, NodeId, node.Membership.Version);
                node.ClearMembership();
                completion.TrySetResult(new TubeResponse { LeaderId = node.LeaderId, Status = BuildStatus() });
                break;
            case TubeRequestKind.TransferLeadership:
                completion.TrySetResult(node.Role != RaftRole.Leader ? NotLeader("only the leader hands over leadership")
                    : node.TransferLeadership(request.NodeId) ? new TubeResponse { LeaderId = NodeId }
                    : Refused(TubeErrorCode.InvalidCommand, $"node {request.NodeId} cannot take over now: it must " +
                        "be a voter other than the leader, and no other transfer may be running; check the status " +
                        "and retry"));
                break;
            default:
                completion.TrySetResult(Refused(TubeErrorCode.InvalidCommand,
                    $"unknown request kind {request.Kind}; update the client to this replica's version"));
                break;
        }
    }

    private void Submit(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        if (node.Role != RaftRole.Leader)
        {
            completion.TrySetResult(NotLeader("commands go to the leader"));
            return;
        }

        ProposeResult result = Propose(request.Command ?? []);
        switch (result)
        {
            case ProposeResult.Accepted:
                writes[node.LastIndex] = new PendingWrite(node.Term, completion,
                    Diagnostics.TubeMetrics.Start(Diagnostics.TubeMetrics.CommitDuration, time));
                if (request.FollowerWaits)
                {
                    durableNoticesThrough = node.LastIndex;
                    durableNoticesTo = IdOf(request.WaitingAt);
                }

                break;
            case ProposeResult.Throttled:
                completion.TrySetResult(Refused(TubeErrorCode.NoQuorum, "too many commands wait for a quorum; " +
                    "retry after a short pause"));
                break;
            default:
                completion.TrySetResult(NotLeader($"the leader refused the command ({result})"));
                break;
        }
    }

    private void Read(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        string machine = request.Machine ?? "";
        if (request.ReadMode == ReadMode.Stale)
        {
            completion.TrySetResult(new TubeResponse
            {
                Reply = machines.Query(machine, request.Query ?? []), LeaderId = node.LeaderId,
            });
            return;
        }

        if (reads.Count + appliedWaits.Count >= options.MaxHeldReads)
        {
            // A follower forwards reads to its leader without a count of its own: without this bound, a flood sent
            // while the leader is out of reach would all be held until the read timeout.
            completion.TrySetResult(Refused(TubeErrorCode.Unavailable, $"this replica already holds " +
                $"{options.MaxHeldReads} reads waiting for a read index; try another member, retry shortly, or raise " +
                "TubeReplicaOptions.MaxHeldReads"));
            return;
        }

        ulong id = nextReadId++;
        bool asked = request.ReadMode == ReadMode.Lease ? node.LeaseRead(id) : node.ReadIndex(id);
        if (!asked)
        {
            completion.TrySetResult(node.LeaderId == 0
                ? Refused(TubeErrorCode.NoQuorum, "no leader is known yet; retry shortly")
                : Refused(TubeErrorCode.NoQuorum, "too many reads are waiting; retry shortly"));
            return;
        }

        reads[id] = new ClientRead(request, completion, time.GetUtcNow() + options.ReadTimeout);
    }

    private void ServeAppliedReads()
    {
        if (appliedWaits.Count == 0)
        {
            return;
        }

        appliedWaits.RemoveAll(read =>
        {
            if (read.Index > machines.AppliedIndex)
            {
                return false;
            }

            read.Completion.TrySetResult(new TubeResponse
            {
                Reply = machines.Query(read.Request.Machine ?? "", read.Request.Query ?? []), LeaderId = node.LeaderId,
            });
            return true;
        });
    }

    private void ExpireReads()
    {
        ServeAppliedReads();
        ExpireWatches();
        ExpireReplyWaits();
        DateTimeOffset now = time.GetUtcNow();
        foreach (var (id, read) in reads.Where(r => r.Value.Deadline <= now).ToList())
        {
            reads.Remove(id);
            read.Completion.TrySetResult(Refused(TubeErrorCode.NoQuorum,
                "the leader did not confirm a read index in time (no quorum, or the leader changed); retry"));
        }

        appliedWaits.RemoveAll(read =>
        {
            if (read.Deadline > now)
            {
                return false;
            }

            read.Completion.TrySetResult(Refused(TubeErrorCode.NoQuorum,
                $"this replica has not yet applied the read index {read.Index}; retry, or ask the leader"));
            return true;
        });
    }

    private void ChangeMembership(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        if (node.Role != RaftRole.Leader)
        {
            completion.TrySetResult(NotLeader("membership changes go to the leader"));
            return;
        }

        if (!HasAddress(request, request.NodeId))
        {
            completion.TrySetResult(Refused(TubeErrorCode.InvalidCommand, $"node {request.NodeId} has no address; " +
                "pass its address with the change or list it in TubeReplicaOptions.Members"));
            return;
        }

        MembershipChangeResult result = node.ProposeMembershipChange(request.MembershipChange, request.NodeId);
        if (result == MembershipChangeResult.Accepted)
        {
            // Only an accepted change may touch the address book: a refused one must leave nothing behind.
            RecordAddress(request);
        }

        if (result == MembershipChangeResult.Accepted
            && request.MembershipChange is MembershipChangeKind.AddVoter or MembershipChangeKind.AddShadow
            && (!machines.MemberAddresses.TryGetValue(request.NodeId, out string? replicated)
                || replicated != members[request.NodeId]))
        {
            // Through the log, so every member (and every later leader) can reach the new one. Best effort: if the
            // proposal is refused now, the next add with the address proposes it again.
            Propose(TubeCommand.SetMemberAddress(request.NodeId, members[request.NodeId]).ToBytes());
        }

        completion.TrySetResult(result switch
        {
            MembershipChangeResult.Accepted => new TubeResponse { LeaderId = NodeId, Status = BuildStatus() },
            MembershipChangeResult.NotLeader => NotLeader("membership changes go to the leader"),
            MembershipChangeResult.NotReady => Refused(TubeErrorCode.NoQuorum, "the previous membership change has " +
                "not committed yet (or this leader has not committed an entry in its term); retry shortly"),
            _ => Refused(TubeErrorCode.InvalidCommand, $"{request.MembershipChange} of node {request.NodeId} does not " +
                "apply to the current membership; check the status"),
        });
    }

    private void ForceMembership(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        ulong[] voters = request.Voters ?? [];
        ulong[] shadows = request.Shadows ?? [];
        ulong? unknown = voters.Concat(shadows).Where(id => !HasAddress(request, id)).Cast<ulong?>().FirstOrDefault();
        string? problem = voters.Length == 0 ? "a forced membership needs at least one voter"
            : voters.Concat(shadows).Distinct().Count() != voters.Length + shadows.Length || voters.Contains(0UL)
                ? "the voters and shadows must be distinct non-zero ids"
            : unknown is { } id ? $"node {id} has no address; pass its address with the change"
            : null;
        if (problem is not null)
        {
            completion.TrySetResult(Refused(TubeErrorCode.InvalidCommand, problem));
            return;
        }

        RecordAddress(request);
        HostLog.MembershipForced(logger, NodeId, string.Join(",", voters), string.Join(",", shadows));
        node.ForceMembership(voters, shadows);
        completion.TrySetResult(new TubeResponse { LeaderId = node.LeaderId, Status = BuildStatus() });
    }

    /// <summary>Whether node <paramref name="id"/> has an address: in the address book, or given with the request.
    /// </summary>
    private bool HasAddress(TubeRequest request, ulong id) =>
        members.ContainsKey(id) || (id != 0 && id == request.NodeId && !string.IsNullOrEmpty(request.Address));

    /// <summary>Takes the address a membership request gave for its node into the address book (once the request
    /// is carried out).</summary>
    private void RecordAddress(TubeRequest request)
    {
        if (request.NodeId != 0 && !string.IsNullOrEmpty(request.Address))
        {
            members[request.NodeId] = request.Address;
        }
    }

    private TubeStatus BuildStatus() => new()
    {
        NodeId = NodeId,
        Role = node.Role,
        Term = node.Term,
        LeaderId = node.LeaderId,
        LeaderAddress = AddressOf(node.LeaderId),
        LastIndex = node.LastIndex,
        CommitIndex = node.CommitIndex,
        AppliedIndex = machines.AppliedIndex,
        SnapshotIndex = node.SnapshotIndex,
        Voters = [.. node.Membership.Voters],
        Shadows = [.. node.Membership.Shadows],
        MembershipVersion = node.Membership.Version,
        ProcessId = Environment.ProcessId,
        HostName = Environment.MachineName,
        MemberAddresses = [.. node.Membership.Voters.Concat(node.Membership.Shadows).Select(AddressOf)],
    };

    private string? AddressOf(ulong id) => id != 0 && members.TryGetValue(id, out string? address) ? address : null;

    private TubeResponse NotLeader(string why)
    {
        ulong leader = node.Role == RaftRole.Leader ? 0 : node.LeaderId;
        return new TubeResponse
        {
            Error = TubeErrorCode.NotLeader,
            Message = leader == 0
                ? $"Replica {NodeId} is not the leader and knows of none ({why}); retry another member shortly."
                : $"Replica {NodeId} is not the leader ({why}); the leader is {leader} at {AddressOf(leader)}.",
            LeaderId = leader,
            LeaderAddress = AddressOf(leader),
        };
    }

    private TubeResponse Refused(TubeErrorCode code, string why) => new()
    {
        Error = code,
        Message = $"Replica {NodeId}: {why}.",
        LeaderId = node.LeaderId,
        LeaderAddress = AddressOf(node.LeaderId),
    };
}
