using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tools;

/// <summary>The status of every member a client tool knows, asked in parallel; a member that does not answer gets
/// its error instead.</summary>
internal sealed record ClusterStatus(IReadOnlyList<MemberStatus> Members)
{
    public static async Task<ClusterStatus> ReadAsync(TubeClient client, TubeTarget target, CancellationToken stop)
    {
        var asks = target.Options.Members.Select(async address =>
        {
            try
            {
                return new MemberStatus(address, await client.GetStatusAsync(address, stop), null);
            }
            catch (TubeException e)
            {
                return new MemberStatus(address, null, e.Message);
            }
        });
        return new ClusterStatus(await Task.WhenAll(asks));
    }

    /// <summary>The leader's status, asking again every 100 ms while no member leads (an election may be running,
    /// for example right after a membership change), for at most the target's operation timeout; then
    /// <see cref="RequireLeader"/>'s error.</summary>
    public static async Task<TubeStatus> LeaderAsync(TubeClient client, TubeTarget target, CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(target.Options.OperationTimeout);
        ClusterStatus status = await ReadAsync(client, target, stop);
        while (status.Leader is null && !deadline.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                break;
            }

            status = await ReadAsync(client, target, stop);
        }

        return status.RequireLeader();
    }

    /// <summary>The member that leads in the highest term, or null.</summary>
    public TubeStatus? Leader => Members.Select(m => m.Status).Where(s => s?.Role == RaftRole.Leader).MaxBy(s => s!.Term);

    /// <summary>The reachable member most likely to hold every committed entry (highest commit, then last index).</summary>
    public MemberStatus? MostUpToDate => Members.Where(m => m.Status is not null)
        .OrderByDescending(m => m.Status!.CommitIndex).ThenByDescending(m => m.Status!.LastIndex).FirstOrDefault();

    /// <summary>The leader's status, or a clear error when there is none.</summary>
    public TubeStatus RequireLeader() => Leader ?? throw new NoQuorumException(Members.All(m => m.Status is null)
        ? $"no member answers ({string.Join("; ", Members.Select(m => $"{m.Address}: {m.Error}"))})"
        : "no member is the leader now (the cluster has no quorum, or an election is running); retry shortly, or " +
          "see -f in the help to rescue a cluster that lost its majority for good");
}

/// <summary>One member's status, or why it did not answer.</summary>
internal sealed record MemberStatus(string Address, TubeStatus? Status, string? Error);
