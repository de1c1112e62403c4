using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tools.Tube;

/// <summary><c>tube -add</c> and <c>tube -shadow</c>: once this replica serves, ask the cluster's leader (found
/// through the other nodes of Node2Addr) to add it as a voter or a shadow, retrying until it is a member or the
/// replica stops.</summary>
internal static class TubeJoin
{
    /// <summary>The pause between join attempts while no leader answers or an earlier change is pending.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(500);

    public static async Task<bool> JoinAsync(TubeConfig config, bool asShadow, TextWriter output,
        CancellationToken stop)
    {
        ulong self = TubeConfig.NodeIdOf(config.MyName);
        string address = config.AddressOf(config.MyName);
        string role = asShadow ? "shadow" : "voter";
        string[] others = [.. config.Node2Addr.Keys.Where(n => n != config.MyName).Select(config.AddressOf)];
        if (others.Length == 0)
        {
            output.WriteLine($"tube: -add: {config.MyName} is the only node in Node2Addr; nothing to join");
            return false;
        }

        RpcOptions rpc = config.RpcCfg.Clone();
        await using var client = new TubeClient(new TubeClientOptions
        {
            Members = others, Rpc = rpc, OperationTimeout = TimeSpan.FromSeconds(5),
        });
        string? lastProblem = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                TubeStatus leader = await LeaderStatusAsync(client, stop);
                if (asShadow ? leader.Shadows.Contains(self) : leader.Voters.Contains(self))
                {
                    output.WriteLine($"tube: {config.MyName} is a {role} of the cluster (leader {leader.NodeId})");
                    return true;
                }

                var kind = asShadow ? MembershipChangeKind.AddShadow : MembershipChangeKind.AddVoter;
                await client.ChangeMembershipAsync(kind, self, address, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (TubeException e)
            {
                if (e.Message != lastProblem)
                {
                    output.WriteLine($"tube: -{(asShadow ? "shadow" : "add")}: not joined yet ({e.Message}); retrying");
                    lastProblem = e.Message;
                }
            }

            try
            {
                await Task.Delay(RetryPause, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>The leader's own status: the member that says it leads in the highest term, else the leader that
    /// the others name.</summary>
    private static async Task<TubeStatus> LeaderStatusAsync(TubeClient client, CancellationToken stop)
    {
        IReadOnlyList<TubeStatus> statuses = await client.GetClusterStatusAsync(stop);
        TubeStatus? leader = statuses.Where(s => s.Role == RaftRole.Leader).MaxBy(s => s.Term);
        if (leader is not null)
        {
            return leader;
        }

        string? named = statuses.Select(s => s.LeaderAddress).FirstOrDefault(a => a is not null);
        if (named is null)
        {
            throw new NoQuorumException(statuses.Count == 0 ? "no other node answers" : "no node knows a leader yet");
        }

        TubeStatus status = await client.GetStatusAsync(named, stop);
        return status.Role == RaftRole.Leader ? status : throw new NoQuorumException($"{named} is not the leader");
    }
}
