using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Hosting;

/// <summary>Watches: long-poll calls served from this replica's change feed (any member, leader or not).</summary>
/// <remarks>A watch call asks for the changes from an index. It is answered at once when the feed holds matching
/// changes from there (or no longer covers the index), and otherwise held until an apply batch brings some or its
/// wait runs out. A held call keeps only its request; the page is read from the feed when it is answered, and is cut
/// to <see cref="TubeReplicaOptions.WatchPageMaxChanges"/> and <see cref="TubeReplicaOptions.WatchPageMaxBytes"/>.
/// So a watcher that does not ask again costs the replica nothing, and one that asks costs at most one page.</remarks>
public sealed partial class TubeReplica
{
    private readonly List<ParkedWatch> watches = [];
    private int largestWatchPage;
    private long watchesServedAt = -1;

    /// <summary>For tests: how many watch calls are held open, and the most changes one answer has carried.</summary>
    internal Task<(int Parked, int LargestPage)> GetWatchStatsAsync() =>
        InspectAsync(() => (watches.Count(w => !w.Completion.Task.IsCompleted), largestWatchPage),
            CancellationToken.None);

    private void Watch(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        if (request.FromIndex < 1 || string.IsNullOrEmpty(request.Table) || request.Key is null ||
            (!request.Prefix && request.Key.Length == 0))
        {
            completion.TrySetResult(Refused(TubeErrorCode.InvalidCommand, "a watch needs a table, a key (or a " +
                "prefix, which may be empty) and a start index of at least 1"));
            return;
        }

        if (!machines.MachineNames.Contains(request.Machine ?? ""))
        {
            completion.TrySetResult(Refused(TubeErrorCode.UnknownStateMachine, $"no state machine is registered as " +
                $"'{request.Machine}' (registered: {string.Join(", ", machines.MachineNames)}); watch one of those"));
            return;
        }

        var filter = new ChangeFilter(request.Machine, request.Table, request.Key);
        TimeSpan wait = TimeSpan.FromMilliseconds(Math.Clamp(request.WaitMs, 0,
            (long)options.WatchMaxWait.TotalMilliseconds));
        var watch = new ParkedWatch(request, filter, completion, time.GetUtcNow() + wait);
        if (TryAnswerWatch(watch))
        {
            return;
        }

        watches.RemoveAll(w => w.Completion.Task.IsCompleted);
        if (watches.Count >= options.MaxWatchers)
        {
            completion.TrySetResult(Refused(TubeErrorCode.Unavailable, $"this replica already holds " +
                $"{options.MaxWatchers} watch calls; try another member, or raise TubeReplicaOptions.MaxWatchers"));
            return;
        }

        watches.Add(watch);
    }

    /// <summary>After an apply batch: answers every held watch that now has changes to report.</summary>
    private void ServeWatches()
    {
        if (watches.Count > 0 && machines.AppliedIndex != watchesServedAt)
        {
            watchesServedAt = machines.AppliedIndex;
            watches.RemoveAll(w => w.Completion.Task.IsCompleted || TryAnswerWatch(w));
        }
    }

    /// <summary>Answers held watches whose wait ran out with an empty page (which still moves them past changes
    /// their filter skipped).</summary>
    private void ExpireWatches()
    {
        if (watches.Count == 0)
        {
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        watches.RemoveAll(w =>
        {
            if (w.Completion.Task.IsCompleted)
            {
                return true;
            }

            if (w.Deadline > now)
            {
                return false;
            }

            w.Completion.TrySetResult(new TubeResponse { Watch = ReadWatchPage(w), LeaderId = node.LeaderId });
            return true;
        });
    }

    private bool TryAnswerWatch(ParkedWatch watch)
    {
        if (watch.From > machines.AppliedIndex)
        {
            return false;
        }

        WatchPage page = ReadWatchPage(watch);
        while (page.Changes.Count == 0 && !page.IsCompacted)
        {
            // A page cut short by changes the call's exact key skipped: read on, so that a change already applied
            // is not held back until the next apply batch or the call's deadline. Each read moves forward, and the
            // feed is bounded, so this ends.
            bool more = page.NextIndex > watch.From && page.NextIndex <= machines.AppliedIndex;
            watch.From = page.NextIndex;
            if (!more)
            {
                return false;
            }

            page = ReadWatchPage(watch);
        }

        largestWatchPage = Math.Max(largestWatchPage, page.Changes.Count);
        watch.Completion.TrySetResult(new TubeResponse { Watch = page, LeaderId = node.LeaderId });
        return true;
    }

    /// <summary>Reads one bounded page: whole log indexes only, cut by count and by bytes, exact keys filtered.</summary>
    private WatchPage ReadWatchPage(ParkedWatch watch)
    {
        TubeRequest request = watch.Request;
        ChangeFeedPage page = machines.Changes.Read(watch.From, options.WatchPageMaxChanges, watch.Filter);
        if (page.IsCompacted)
        {
            return new WatchPage
            {
                IsCompacted = true, RequestedIndex = request.FromIndex, NextIndex = page.NextIndex,
                OldestAvailableIndex = page.OldestAvailableIndex, ResyncIndex = page.ResyncIndex,
            };
        }

        var changes = new List<ChangeEvent>(page.Changes.Count);
        long next = page.NextIndex;
        long bytes = 0;
        for (int i = 0; i < page.Changes.Count; i++)
        {
            ChangeEvent change = page.Changes[i];
            bytes += change.Size;
            if (bytes > options.WatchPageMaxBytes && i > 0 && change.Index != page.Changes[i - 1].Index)
            {
                next = change.Index;
                break;
            }

            if (request.Prefix || change.Key.Length == 0 || change.Key.AsSpan().SequenceEqual(request.Key ?? []))
            {
                changes.Add(change);
            }
        }

        return new WatchPage { Changes = changes, NextIndex = next };
    }
}
