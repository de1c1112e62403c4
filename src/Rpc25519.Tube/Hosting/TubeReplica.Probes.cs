namespace Rpc25519.Tube.Hosting;

/// <summary>Test seams: what the host loop keeps per request or per member, to check that floods leave nothing.
/// </summary>
public sealed partial class TubeReplica
{
    /// <summary>For tests: the requests held now, by kind (reads waiting for an index or an apply, writes waiting
    /// to commit, reply waits, watch calls not yet answered).</summary>
    internal Task<HeldRequests> GetHeldRequestsAsync() =>
        InspectAsync(() => new HeldRequests(reads.Count + appliedWaits.Count, writes.Count, replyWaits.Count,
            watches.Count(w => !w.Completion.Task.IsCompleted)), CancellationToken.None);

    /// <summary>For tests: a copy of this replica's address book (member id to address).</summary>
    internal Task<SortedDictionary<ulong, string>> GetAddressBookAsync() =>
        InspectAsync(() => new SortedDictionary<ulong, string>(members), CancellationToken.None);
}

/// <summary>How many client requests a replica holds, by kind.</summary>
internal readonly record struct HeldRequests(int Reads, int Writes, int ReplyWaits, int Watches)
{
    public int Total => Reads + Writes + ReplyWaits + Watches;
}
