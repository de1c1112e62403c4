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
                if (host.Alive && host.Node.HasReady())
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

    private void ProcessReady(SimNode host)
    {
        var ready = host.Node.GetReady();
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
        }

        host.Node.Advance(ready);
        ServeReads(host);
    }

    private void CompleteWrite(SimNode host, KvCommand command)
    {
        if (command.ClientId < 0 || command.ClientId >= clients.Length)
        {
            return;
        }

        var client = clients[command.ClientId];
        if (client.Current is { IsWrite: true, Invoked: true } op && op.Sequence == command.Sequence
            && op.Node == host.Id)
        {
            history.Add(new Operation(client.Id, op.Key, true, op.Value, op.Call, ++eventClock));
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
                if (!faults || random.NextDouble() >= settings.ClientRate)
                {
                    continue;
                }

                bool write = random.Next(2) == 0;
                client.Current = new PendingOperation
                {
                    IsWrite = write, Key = random.Next(settings.Keys), Sequence = ++client.Sequence,
                    Value = write ? ++nextValue : 0, Deadline = tick + settings.OperationTimeoutTicks,
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
        var target = hosts[(int)client.Target - 1];
        if (!target.Alive || (!op.IsWrite && random.Next(2) == 0))
        {
            target = hosts[random.Next(hosts.Length)];
        }

        if (!target.Alive)
        {
            return;
        }

        var node = target.Node;
        bool accepted;
        if (op.IsWrite)
        {
            var command = new KvCommand(client.Id, op.Sequence, op.Key, op.Value);
            accepted = node.Propose(command.Encode()) == ProposeResult.Accepted;
        }
        else
        {
            op.RequestId = ++nextRequestId;
            accepted = random.NextDouble() < settings.LeaseReadFraction
                ? node.LeaseRead(op.RequestId)
                : node.ReadIndex(op.RequestId);
        }

        if (accepted)
        {
            op.Invoked = true;
            op.Node = target.Id;
            op.Call = ++eventClock;
        }
        else
        {
            client.Target = node.LeaderId != 0 ? node.LeaderId : (ulong)random.Next(1, hosts.Length + 1);
        }
    }

    private void AdminActions()
    {
        var leader = hosts.FirstOrDefault(h => h.Alive && h.Node.Role == RaftRole.Leader);
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
            if (host.Alive && host.Node.AppliedIndex > host.Node.SnapshotIndex)
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
