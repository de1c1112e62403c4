using System.Runtime.CompilerServices;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>Watches: the key/value store's changes in log order, by long-poll calls to any member.</summary>
public sealed partial class TubeClient
{
    /// <summary>
    /// Follows the changes to one key, or to every key under a prefix, of a key/value table, in log order, from
    /// <paramref name="fromIndex"/> on. Each change carries its log index, the key's new version and its kind
    /// (<see cref="ChangeKind.Put"/>, <see cref="ChangeKind.Delete"/>, <see cref="ChangeKind.LeaseReleased"/>, and
    /// the table-level kinds, which match any key of their table). The enumeration never ends by itself.
    /// </summary>
    /// <remarks>
    /// <para>Any member serves a watch from what it has applied (committed changes only); a member that has not
    /// applied <paramref name="fromIndex"/> yet holds the call until it has. When the member fails or the connection
    /// drops, the next call goes to another member and resumes after the last index delivered, so no change is
    /// missed or repeated. The changes of one log index always arrive together.</para>
    /// <para>Memory is bounded: the client holds at most one page (the replica's
    /// <see cref="TubeReplicaOptions.WatchPageMaxChanges"/>), and asks for the next one only when the consumer has
    /// taken this one; the replica keeps nothing for a watcher between calls.</para>
    /// <para>To resume later, start from the <see cref="ChangeEvent.Index"/> of the last change handled plus one
    /// (after handling every change of that index).</para>
    /// </remarks>
    /// <param name="table">The table to watch.</param>
    /// <param name="keyOrPrefix">The key, or the key prefix when <paramref name="prefix"/> is true (an empty prefix
    /// watches the whole table).</param>
    /// <param name="fromIndex">The first log index of interest, at least 1 (e.g. a read's
    /// <see cref="StateMachines.Kv.KvItem.ModifyIndex"/> + 1, or 1 for everything the feed still holds).</param>
    /// <param name="prefix">Whether <paramref name="keyOrPrefix"/> is a prefix.</param>
    /// <param name="cancellationToken">Ends the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The changes, in log order.</returns>
    /// <exception cref="ChangeFeedCompactedException">No member's bounded change feed still holds the changes from
    /// the index asked for (the watcher fell behind, or started too far back): read the state again and watch from
    /// <see cref="ChangeFeedCompactedException.ResyncIndex"/> + 1. (A member restarted from a snapshot starts its
    /// feed there, so the client asks every member before it gives up.)</exception>
    /// <exception cref="TubeException">No member answered within <see cref="TubeClientOptions.OperationTimeout"/>
    /// (<see cref="TubeUnavailableException"/>, <see cref="NoQuorumException"/>; also when every member already
    /// holds <see cref="TubeReplicaOptions.MaxWatchers"/> watch calls), or the arguments were refused
    /// (<see cref="InvalidCommandException"/>).</exception>
    /// <exception cref="ArgumentException">As for <see cref="WatchMachineAsync"/>, thrown by this call itself.
    /// </exception>
    public IAsyncEnumerable<ChangeEvent> WatchAsync(string table, byte[] keyOrPrefix, long fromIndex,
        bool prefix = false, CancellationToken cancellationToken = default) =>
        WatchMachineAsync(KvMachine, table, keyOrPrefix, fromIndex, prefix, cancellationToken);

    /// <summary>
    /// Follows the changes a state machine registered as <paramref name="machine"/> records
    /// (<see cref="StateMachines.ApplyContext.RecordChange"/>) for one key, or every key under a prefix, of one of
    /// its tables (its own grouping: the bank ledger records each account's new balance under the table
    /// <c>"ledger"</c>). Works exactly as <see cref="WatchAsync"/>, which is this call for the key/value store.
    /// </summary>
    /// <param name="machine">The registered name of the state machine.</param>
    /// <param name="table">The table (grouping) the machine records its changes under.</param>
    /// <param name="keyOrPrefix">The key, or the key prefix when <paramref name="prefix"/> is true (an empty prefix
    /// watches the whole table).</param>
    /// <param name="fromIndex">The first log index of interest, at least 1.</param>
    /// <param name="prefix">Whether <paramref name="keyOrPrefix"/> is a prefix.</param>
    /// <param name="cancellationToken">Ends the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The changes, in log order.</returns>
    /// <exception cref="ChangeFeedCompactedException">As for <see cref="WatchAsync"/>.</exception>
    /// <exception cref="TubeException">As for <see cref="WatchAsync"/>.</exception>
    /// <exception cref="ArgumentException">Thrown by this call itself, before any enumeration: a null or empty
    /// machine or table name, a null key, an empty key without <paramref name="prefix"/>, or
    /// <paramref name="fromIndex"/> below 1.</exception>
    public IAsyncEnumerable<ChangeEvent> WatchMachineAsync(string machine, string table, byte[] keyOrPrefix,
        long fromIndex, bool prefix = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(machine);
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentNullException.ThrowIfNull(keyOrPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromIndex, 1);
        if (!prefix && keyOrPrefix.Length == 0)
        {
            throw new ArgumentException("Watching one key needs a non-empty key; pass prefix: true and an empty " +
                "prefix to watch the whole table.", nameof(keyOrPrefix));
        }

        return WatchPagesAsync(machine, table, keyOrPrefix, fromIndex, prefix, cancellationToken);
    }

    /// <summary>The enumeration behind <see cref="WatchMachineAsync"/>, its arguments already checked.</summary>
    private async IAsyncEnumerable<ChangeEvent> WatchPagesAsync(string machine, string table, byte[] keyOrPrefix,
        long fromIndex, bool prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The replica answers an idle watch before the attempt timeout would give up on it.
        long waitMs = Math.Max(1, (long)(options.AttemptTimeout.TotalMilliseconds / 2));
        long next = fromIndex;
        int compactedAnswers = 0;
        while (true)
        {
            TubeResponse response = await CallAsync(new TubeRequest
            {
                Kind = TubeRequestKind.Watch, Machine = machine, Table = table, Key = keyOrPrefix, Prefix = prefix,
                FromIndex = next, WaitMs = waitMs,
            }, cancellationToken);
            ThrowIfRefused(response);
            WatchPage page = response.Watch ?? throw new TubeUnavailableException(
                "A member answered a watch without a page; upgrade the replicas to this client's version.", null);
            if (page.IsCompacted)
            {
                // Each member's feed is its own cache: one restarted from a snapshot starts its feed there, while
                // the others may still hold the changes. Ask every member before giving up.
                if (++compactedAnswers >= options.Members.Count)
                {
                    throw new ChangeFeedCompactedException(next, page.OldestAvailableIndex, page.ResyncIndex);
                }

                await MoveToNextMemberAsync();
                continue;
            }

            compactedAnswers = 0;
            foreach (ChangeEvent change in page.Changes)
            {
                // Pages start at the index asked for; this only guards against a misbehaving member.
                if (change.Index >= next)
                {
                    yield return change;
                }
            }

            next = Math.Max(next, page.NextIndex);
        }
    }

    /// <summary>Drops the current connection so that the next call goes to the next member.</summary>
    private async Task MoveToNextMemberAsync()
    {
        RpcClient? client;
        lock (gate)
        {
            client = current;
        }

        if (client is not null)
        {
            await DropAsync(client, null);
        }
    }
}
