using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Hosting;

/// <summary>The host loop: ticks, inbox, persist-then-send, apply, reads, compaction.</summary>
public sealed partial class TubeReplica
{
    private readonly SortedDictionary<long, PendingWrite> writes = [];
    private DateTimeOffset lastTick;

    /// <summary>Command bytes of the entries applied since the latest snapshot (after a restart the entries after the
    /// stored snapshot are applied again, so they count again), for
    /// <see cref="TubeReplicaOptions.SnapshotEveryBytes"/>.</summary>
    private long bytesSinceSnapshot;

    /// <summary>The size of the latest snapshot taken, installed or restored (0: none), for the byte threshold's
    /// growth rule (<see cref="TubeReplicaOptions.SnapshotEveryBytes"/>).</summary>
    private long lastSnapshotBytes;

    /// <summary>Ticks delivered to the node so far.</summary>
    private long ticksDelivered;

    /// <summary>The host's tick clock for <see cref="RaftOptions.HostClock"/>: ticks delivered plus those due now and
    /// not yet delivered (before the loop starts, a clock far ahead, so that no lease is trusted).</summary>
    private long HostTicks() => lastTick == default
        ? long.MaxValue
        : ticksDelivered + (time.GetUtcNow() - lastTick).Ticks / options.TickInterval.Ticks;
    private DateTimeOffset lastProposal;
    private RaftRole lastRole = RaftRole.Follower;
    private long lastTerm = -1;

    /// <summary>The leader this replica last knew (0: none), to count <c>tube.leader.changes</c>.</summary>
    private ulong lastLeaderId;

    private async Task RunLoopAsync()
    {
        try
        {
            await RunRoundsAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by DisposeAsync.
        }
        catch (Exception e)
        {
            HostLog.LoopFailed(logger, NodeId, e);
            inbox.Writer.TryComplete();
            FailPending("the replica stopped after an internal error");
            throw;
        }
    }

    private async Task RunRoundsAsync()
    {
        var reader = inbox.Reader;
        CancellationToken ct = stop.Token;
        while (await reader.WaitToReadAsync(ct))
        {
            DeliverDueTicks();
            while (reader.TryRead(out HostWork? work))
            {
                if (work.Pause > TimeSpan.Zero)
                {
                    // Stand still, as a stopped process: messages and requests queue up meanwhile. On resuming,
                    // the ticks that fell due come first, before anything that arrived during the pause.
                    await Task.Delay(work.Pause, time, ct);
                    DeliverDueTicks();
                }

                Handle(work);
            }

            ProposeIdleTick();
            NoteRoleChange();
            ExpireReads();
            SendDueCommitNotices();
            while (node.HasReady())
            {
                await ProcessReadyAsync(node.GetReady());
                NoteRoleChange();
                SendAwaitedDurableNotices();
            }

            WatchCommitNotices();

            await CompactIfDueAsync();
            if (Diagnostics.TubeMetrics.GaugesObserved)
            {
                gauges.Publish(machines.AppliedIndex, node.Term, node.Role == RaftRole.Leader, machines.SessionCount,
                    machines.LeaseCount);
            }
        }
    }

    /// <summary>Delivers every tick that fell due since the last one, before any message: after a pause the node
    /// catches up on the time the rest of the cluster saw pass (lease reads depend on it).</summary>
    private void DeliverDueTicks()
    {
        DateTimeOffset now = time.GetUtcNow();
        long due = (now - lastTick).Ticks / options.TickInterval.Ticks;
        if (due <= 0)
        {
            return;
        }

        if (due > 2)
        {
            HostLog.CatchUpTicks(logger, NodeId, due);
        }

        for (long i = 0; i < due; i++)
        {
            node.Tick();
        }

        lastTick += options.TickInterval * due;
        ticksDelivered += due;
    }

    private void Handle(HostWork work)
    {
        if (work.Raft is { } message)
        {
            node.Step(message); // addressed to this node: OnRaftMessage dropped the others (RaftWireCodec.WhyRefused)
        }
        else if (work.Request is { } request)
        {
            HandleRequest(request, work.Completion!);
        }
        else
        {
            work.Inspect?.Invoke();
        }
    }

    private void ProposeIdleTick()
    {
        if (node.Role != RaftRole.Leader || time.GetUtcNow() - lastProposal < options.IdleTickInterval)
        {
            return;
        }

        Propose(TubeCommand.Tick().ToBytes());
    }

    private ProposeResult Propose(byte[] command)
    {
        DateTimeOffset now = time.GetUtcNow();
        ProposeResult result = node.Propose(StampedCommand.Create(now.ToUnixTimeMilliseconds(), command));
        if (result == ProposeResult.Accepted)
        {
            lastProposal = now;
        }

        return result;
    }

    /// <summary>A leader that lost its role or term can no longer answer its proposals: tell their clients to
    /// retry (a retry in the same session is applied at most once).</summary>
    private void NoteRoleChange()
    {
        if (node.LeaderId != lastLeaderId)
        {
            if (node.LeaderId != 0)
            {
                Diagnostics.TubeMetrics.LeaderChanges.Add(1, gauges.NodeTag);
            }
            lastLeaderId = node.LeaderId;
        }

        if (node.Role == lastRole && node.Term == lastTerm)
        {
            return;
        }

        if (node.Role is RaftRole.Leader or RaftRole.Follower || lastRole == RaftRole.Leader)
        {
            HostLog.RoleChanged(logger, NodeId, node.Role.ToString(), node.Term, node.LeaderId);
        }

        lastRole = node.Role;
        lastTerm = node.Term;
        if (writes.Count > 0 && (node.Role != RaftRole.Leader || writes.Values.Any(w => w.Term != node.Term)))
        {
            foreach (PendingWrite write in writes.Values)
            {
                write.Completion.TrySetResult(NotLeader("leadership changed before the command committed; retry " +
                    "it in the same session (it is applied at most once)"));
            }

            writes.Clear();
        }
    }

    private void SendAll(IReadOnlyList<RaftMessage> messages)
    {
        foreach (RaftMessage message in messages)
        {
            if (members.ContainsKey(message.To) && message.To != NodeId)
            {
                LinkTo(message.To).Send(RaftMessageSeal.Seal(RaftWireCodec.Encode(message), messageKey));
            }
        }
    }

    private async Task ProcessReadyAsync(Ready ready)
    {
        // A leader's appends may leave before its own write is durable, so the followers write at the same time
        // (Ready.MessagesMayPrecedePersist); everything else waits for the disk. No token on the persist: the
        // storage's cancellable wait (Task.WaitAsync) resumes on the thread pool, which SimNet forbids; a flush is
        // short and the loop stops right after it anyway.
        if (ready.MessagesMayPrecedePersist)
        {
            SendAll(ready.Messages);
            await storage.PersistAsync(ready, CancellationToken.None);
        }
        else
        {
            await storage.PersistAsync(ready, CancellationToken.None);
            SendAll(ready.Messages);
        }

        if (ready.Snapshot is { } snapshot)
        {
            using var stream = new MemoryStream(snapshot.Data.ToArray(), writable: false);
            machines.RestoreSnapshot(stream);
            lastSnapshotBytes = snapshot.Data.Length;
            HostLog.SnapshotInstalled(logger, NodeId, snapshot.Index);
        }

        foreach (LogEntry entry in ready.CommittedEntries)
        {
            if (entry.Index <= machines.AppliedIndex)
            {
                continue;
            }

            bytesSinceSnapshot += entry.Data.Length;
            byte[] reply = machines.ApplyEntry(entry);
            if (writes.Remove(entry.Index, out PendingWrite? write))
            {
                Diagnostics.TubeMetrics.RecordSince(Diagnostics.TubeMetrics.CommitDuration, write.Started, time,
                    gauges.NodeTag);
                write.Completion.TrySetResult(write.Term == entry.Term
                    ? new TubeResponse { Reply = reply, LeaderId = NodeId }
                    : NotLeader("another leader replaced the command's log entry; retry it in the same session"));
            }
        }

        foreach (ReadState state in ready.ReadStates)
        {
            if (reads.Remove(state.RequestId, out ClientRead? read))
            {
                read.Index = state.Index;
                appliedWaits.Add(read);
            }
        }

        await AdoptReplicatedAddressesAsync();
        ServeAppliedReads();
        ServeWatches();
        ServeReplyWaits();
        node.Advance(ready);
    }

    /// <summary>Takes the addresses that went through the log into this replica's address book, so it can send to
    /// members that joined after it started (and name them in redirects). An address that changed closes the link
    /// to the old one.</summary>
    private async Task AdoptReplicatedAddressesAsync()
    {
        if (machines.MemberAddresses.Count == 0)
        {
            return;
        }

        foreach (var (id, address) in machines.MemberAddresses)
        {
            if (members.TryGetValue(id, out string? known) && known == address)
            {
                continue;
            }

            members[id] = address;
            if (links.Remove(id, out PeerLink? stale))
            {
                await stale.DisposeAsync();
            }
        }
    }

    private async Task CompactIfDueAsync()
    {
        long sinceSnapshot = machines.AppliedIndex - node.SnapshotIndex;
        bool entriesDue = options.SnapshotEveryEntries > 0 && sinceSnapshot >= options.SnapshotEveryEntries;
        bool bytesDue = options.SnapshotEveryBytes > 0
            && bytesSinceSnapshot >= Math.Max(options.SnapshotEveryBytes, lastSnapshotBytes);
        if (!(entriesDue || bytesDue) || sinceSnapshot <= 0 || machines.AppliedIndex > node.AppliedIndex)
        {
            return;
        }

        using var stream = new MemoryStream();
        machines.WriteSnapshot(stream);
        byte[] data = stream.ToArray();
        RaftSnapshot snapshot = node.Compact(machines.AppliedIndex, data);
        await storage.SaveSnapshotAsync(snapshot, CancellationToken.None);
        bytesSinceSnapshot = 0;
        lastSnapshotBytes = data.Length;
        HostLog.SnapshotTaken(logger, NodeId, snapshot.Index, data.Length);
    }

    private void FailPending(string why)
    {
        foreach (PendingWrite write in writes.Values)
        {
            write.Completion.TrySetResult(NotLeader(why));
        }

        writes.Clear();
        foreach (ClientRead read in reads.Values.Concat(appliedWaits))
        {
            read.Completion.TrySetResult(NotLeader(why));
        }

        foreach (ParkedWatch watch in watches)
        {
            watch.Completion.TrySetResult(NotLeader(why));
        }

        foreach (ParkedReplyWait wait in replyWaits)
        {
            wait.Completion.TrySetResult(NotLeader(why));
        }

        reads.Clear();
        appliedWaits.Clear();
        watches.Clear();
        replyWaits.Clear();
        while (inbox.Reader.TryRead(out HostWork? work))
        {
            work.Completion?.TrySetResult(NotLeader(why));
        }
    }
}
