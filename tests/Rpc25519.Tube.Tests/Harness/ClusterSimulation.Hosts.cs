using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>The host loop (persist, send, apply, advance), clients, and admin actions.</summary>
internal sealed partial class ClusterSimulation
{
    private void ProcessReadies()
    {
        for (int round = 0; round < 16; round++)
        {
            bool any = false;
            foreach (var host in hosts)
            {
                if (host.Running(tick) && host.Node.HasReady())
                {
                    ProcessReady(host);
                    any = true;
                }
            }

            if (!any)
            {
                return;
            }
        }
    }

    /// <summary>With deferred commit notices, a leader's notices still owed since the last tick go out now: the
    /// harness's stand-in for <c>TubeReplica</c>'s notice delay.</summary>
    private void SendOwedCommitNotices()
    {
        foreach (var host in hosts)
        {
            if (host.Running(tick) && host.Node.CommitNoticesOwed)
            {
                host.Node.SendCommitNotices();
            }
        }
    }

    private void ProcessReady(SimNode host)
    {
        var ready = host.Node.GetReady();
        Trace?.Add($"t{tick} ready {host.Id} {host.Node.Role} t{host.Node.Term} hs={ready.HardState} " +
            $"entries={string.Join(',', ready.Entries)} " +
            $"commit={string.Join(',', ready.CommittedEntries.Select(e => e.Index))}");
        safety.CheckPersist(host, ready);
        host.Storage.Persist(ready);
        foreach (var message in ready.Messages)
        {
            Send(message);
        }

        if (ready.Snapshot is { } snapshot)
        {
            safety.CheckSnapshot(host, snapshot);
            host.Kv.Restore(snapshot.Data.Span);
            host.Applied = snapshot.Index;
            snapshotsInstalled++;
        }

        foreach (var entry in ready.CommittedEntries)
        {
            safety.CheckApply(host, entry);
            host.Applied = entry.Index;
            Mix((long)host.Id << 40 | entry.Index);
            if (entry.Kind == LogEntryKind.Command)
            {
                var command = KvCommand.Decode(entry.Data.Span);
                host.Kv.Apply(command);
                CompleteWrite(host, command);
            }
        }

        foreach (var read in ready.ReadStates)
        {
            host.ReadyReads[read.RequestId] = read.Index;
            if (leaseReads.Remove(read.RequestId, out long askedAt) && askedAt == tick)
            {
                CheckLease(host, read);
            }
        }

        host.Node.Advance(ready);
        if (settings.FollowerAnswers)
        {
            host.Node.SendDurableNotices();
        }

        ServeReads(host);
    }

    /// <summary>
    /// A lease read the leader answered in the tick it was asked (so from its lease, not a quorum round) promises that
    /// no other node leads a newer term at that moment: check the promise against the whole cluster. This catches a
    /// lease that lasts too long even when no client happens to observe a stale value.
    /// </summary>
    private void CheckLease(SimNode host, ReadState read)
    {
        foreach (var other in hosts)
        {
            if (other != host && other.Alive && other.Node.Role == RaftRole.Leader && other.Node.Term > host.Node.Term)
            {
                throw new SafetyViolationException($"node {host.Id} answered lease read {read.RequestId} at once in " +
                    $"term {host.Node.Term} while node {other.Id} leads term {other.Node.Term}");
            }
        }
    }

    private void CompleteWrite(SimNode host, KvCommand command)
    {
        if (command.ClientId < 0 || command.ClientId >= clients.Length)
        {
            return;
        }

        var client = clients[command.ClientId];
        if (client.Current is { IsWrite: true, Invoked: true } op && op.Sequence == command.Sequence
            && (op.Node == host.Id || settings.FollowerAnswers))
        {
            history.Add(new Operation(client.Id, op.Key, true, op.Value, op.Call, ++eventClock));
            lastWrittenKey = op.Key;
            client.Current = null;
            writesCompleted++;
        }
    }

    private void ServeReads(SimNode host)
    {
        foreach (var (requestId, index) in host.ReadyReads.ToArray())
        {
            if (index > host.Applied)
            {
                continue;
            }

            host.ReadyReads.Remove(requestId);
            foreach (var client in clients)
            {
                if (client.Current is { IsWrite: false, Invoked: true } op && op.RequestId == requestId
                    && op.Node == host.Id)
                {
                    history.Add(new Operation(client.Id, op.Key, false, host.Kv.Read(op.Key), op.Call, ++eventClock));
                    client.Current = null;
                    readsCompleted++;
                }
            }
        }
    }

    private void DriveClients()
    {
        foreach (var client in clients)
        {
            if (client.Current is null)
            {
                bool probing = settings.StaleReadProbes && tick < probeUntil;
                bool prober = client.Id >= settings.Clients;
                if (!faults || (prober && !probing)
                    || random.NextDouble() >= (probing ? 0.8 : settings.ClientRate))
                {
                    continue;
                }

                bool write = !prober && random.Next(probing ? 3 : 2) == 0;
                ulong preferred = 0;
                bool? lease = null;
                if (probing && !write)
                {
                    // Half the probes go to the cut-off leader, the rest to any node; the read mode is drawn now.
                    preferred = staleLeader != 0 && random.Next(2) == 0
                        ? staleLeader
                        : (ulong)random.Next(1, hosts.Length + 1);
                    // Mostly lease reads at the cut-off leader: the lease is the read path that must end first.
                    lease = random.Next(preferred == staleLeader ? 4 : 2) != 0;
                }

                // A probe reads the key written last, most of the time: a stale answer then shows at once.
                int key = probing && !write && lastWrittenKey >= 0 && random.Next(4) != 0
                    ? lastWrittenKey
                    : random.Next(settings.Keys);
                client.Current = new PendingOperation
                {
                    IsWrite = write, Key = key, Sequence = ++client.Sequence,
                    Value = write ? ++nextValue : 0, Deadline = tick + settings.OperationTimeoutTicks,
                    PreferredNode = preferred, Lease = lease,
                };
            }

            var op = client.Current;
            if (tick > op.Deadline)
            {
                if (op is { IsWrite: true, Invoked: true })
                {
                    // The outcome is unknown: it may still take effect at any later time.
                    history.Add(new Operation(client.Id, op.Key, true, op.Value, op.Call, long.MaxValue));
                    writesUnknown++;
                }

                client.Current = null;
            }
            else if (!op.Invoked)
            {
                TryInvoke(client, op);
            }
        }
    }

    private void TryInvoke(SimClient client, PendingOperation op)
    {
        var target = hosts[(int)(op.PreferredNode != 0 ? op.PreferredNode : client.Target) - 1];
        if (!target.Running(tick) || (op.PreferredNode == 0 && !op.IsWrite && random.Next(2) == 0))
        {
            target = hosts[random.Next(hosts.Length)];
        }
        else if (op.IsWrite && settings.StaleReadProbes && tick < probeUntil)
        {
            // While probing, writers also ask around (a follower names its leader), so that writes reach the leader
            // the majority elected instead of piling up on the one the partition cut off.
            target = hosts[random.Next(hosts.Length)];
        }

        if (!target.Running(tick))
        {
            return;
        }

        var node = target.Node;
        bool accepted;
        bool usedLease = false;
        if (op.IsWrite)
        {
            var command = new KvCommand(client.Id, op.Sequence, op.Key, op.Value);
            accepted = node.Propose(command.Encode()) == ProposeResult.Accepted;
        }
        else
        {
            op.RequestId = ++nextRequestId;
            usedLease = op.Lease ?? random.NextDouble() < settings.LeaseReadFraction;
            accepted = usedLease ? node.LeaseRead(op.RequestId) : node.ReadIndex(op.RequestId);
        }

        if (accepted && !op.IsWrite && node.Role == RaftRole.Leader && usedLease)
        {
            leaseReads[op.RequestId] = tick;
        }

        if (accepted)
        {
            op.Invoked = true;
            op.Node = target.Id;
            op.Call = ++eventClock;
        }
        else if (op.PreferredNode == 0)
        {
            client.Target = node.LeaderId != 0 ? node.LeaderId : (ulong)random.Next(1, hosts.Length + 1);
        }
    }

    private void AdminActions()
    {
        var leader = hosts.FirstOrDefault(h => h.Running(tick) && h.Node.Role == RaftRole.Leader);
        if (leader is not null && random.NextDouble() < settings.MembershipRate)
        {
            ChangeMembership(leader.Node);
        }

        if (leader is not null && random.NextDouble() < settings.TransferRate)
        {
            var voters = leader.Node.Membership.Voters;
            leader.Node.TransferLeadership(voters[random.Next(voters.Count)]);
        }

        if (random.NextDouble() < settings.CompactionRate)
        {
            var host = hosts[random.Next(hosts.Length)];
            if (host.Running(tick) && host.Node.AppliedIndex > host.Node.SnapshotIndex)
            {
                var snapshot = host.Node.Compact(host.Node.AppliedIndex, host.Kv.Snapshot());
                host.Storage.Compact(snapshot);
                compactions++;
            }
        }
    }

    private void ChangeMembership(RaftNode leader)
    {
        var config = leader.Membership;
        ulong id = (ulong)random.Next(1, hosts.Length + 1);
        MembershipChangeKind kind;
        if (config.IsVoter(id))
        {
            if (config.Voters.Count <= 1)
            {
                return;
            }

            kind = MembershipChangeKind.RemoveVoter;
        }
        else if (config.IsShadow(id))
        {
            kind = random.Next(2) == 0 && config.Voters.Count < 5
                ? MembershipChangeKind.AddVoter
                : MembershipChangeKind.RemoveShadow;
        }
        else
        {
            kind = random.Next(2) == 0 && config.Voters.Count < 5
                ? MembershipChangeKind.AddVoter
                : MembershipChangeKind.AddShadow;
        }

        if (leader.ProposeMembershipChange(kind, id) == MembershipChangeResult.Accepted)
        {
            membershipChanges++;
        }
    }
}
