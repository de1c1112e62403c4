using System.CommandLine;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tools;

/// <summary><c>tubeadd NAME</c> and <c>tuberm NAME</c>: one single-server membership change through the leader, or
/// with <c>-f</c> the forced rescue on the most up-to-date reachable member.</summary>
internal static class MembershipCommand
{
    /// <summary>How long to wait for the cluster to show the change (a new leader, a caught-up member).</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(15);

    public const string ForceHelp =
        "FORCED rescue: skip the safety checks and install the change directly on the most up-to-date reachable " +
        "member (highest commit index), with no leader needed. Use it only when a majority of the voters is gone " +
        "for good and the cluster cannot elect a leader. It LOSES DATA when entries were committed by a majority " +
        "that did not include that member (they are overwritten by what it holds), and members that still hold the " +
        "old membership may elect a second leader if they come back: keep removed members stopped, or wipe their " +
        "data directories before they rejoin. Without -f nothing is ever lost.";

    public const string EmptyHelp =
        "rescue: send NAME itself (no leader needed) the order to forget its membership, as if it had never joined: " +
        "a leader steps down, and it neither campaigns nor leads until a leader sends it a configuration, which it " +
        "then adopts. Its log and data stay. Use it on a member whose membership is stale or diverged (one that " +
        "comes back after tuberm -f removed it elsewhere) so that it cannot elect a second leader, then tubeadd " +
        "NAME. A member that the leader still lists learns the leader's membership again at once";

    public static async Task<int> RunAsync(string tool, bool adding, string[] args, TextWriter stdout,
        TextWriter stderr, CancellationToken stop)
    {
        var flags = new TubeClientFlags();
        var name = new Argument<string>("NAME") { Description = "the node's name (a key of the config's Node2Addr)" };
        var shadow = new Option<bool>("-shadow", "--shadow")
        {
            Description = adding ? "add as a shadow (non-voting member) instead of a voter" : "remove a shadow",
        };
        var force = new Option<bool>("-f", "--force") { Description = ForceHelp };
        var empty = new Option<bool>("-e", "--empty") { Description = EmptyHelp };
        var address = new Option<string?>("-addr", "--addr")
        {
            Description = "the node's host:port when the config does not list it",
        };
        string what = adding
            ? "add a node to a Tube cluster through its leader, as a voter (a shadow is promoted in one step) or with " +
              "-shadow as a non-voting shadow"
            : "remove a node from a Tube cluster through its leader: a voter becomes a shadow (it still learns of its " +
              "removal); with -shadow a shadow leaves";
        var root = new RootCommand($"{tool}: {what}. Exit 0 when the change is in place, 1 when the cluster " +
            "refused it or did not answer, 2 on a bad command line.") { name, shadow, force, address };
        if (!adding)
        {
            root.Options.Add(empty);
        }

        flags.AddTo(root);

        if (CommandLine.HelpOrErrors(tool, root, args, stdout, stderr) is { } early)
        {
            return early;
        }

        ParseResult parsed = root.Parse(args);
        try
        {
            TubeTarget target = flags.Resolve(parsed);
            string node = parsed.GetValue(name)!;
            (ulong id, string? known) = target.Resolve(node);
            var change = new Change(node, id, parsed.GetValue(address) ?? known, adding, parsed.GetValue(shadow));
            await using var client = new TubeClient(target.Options);
            if (parsed.GetValue(empty))
            {
                return parsed.GetValue(force) || parsed.GetValue(shadow)
                    ? throw new UsageException("-e cannot be combined with -f or -shadow; pick one")
                    : await EmptyAsync(client, target, change, stdout, stderr, stop);
            }

            return parsed.GetValue(force)
                ? await ForceAsync(client, target, change, stdout, stderr, stop)
                : await ChangeAsync(client, target, change, stdout, stop);
        }
        catch (Exception e) when (ToolErrors.Report(tool, e, stderr) is { } code)
        {
            return code;
        }
    }

    private static async Task<int> ChangeAsync(TubeClient client, TubeTarget target, Change change,
        TextWriter stdout, CancellationToken stop)
    {
        TubeStatus leader = await ClusterStatus.LeaderAsync(client, target, stop);
        if (change.IsDone(leader))
        {
            await stdout.WriteLineAsync($"{change.Name} is already {change.Outcome}; nothing to do");
            return ToolErrors.Ok;
        }

        if (change.Adding && change.Address is null)
        {
            await stdout.WriteLineAsync($"note: {change.Name} is not in the config; the leader must already know its " +
                "address (else pass -addr host:port)");
        }

        await client.ChangeMembershipAsync(change.Kind, change.Id, change.Address, stop);
        await stdout.WriteLineAsync($"{change.Name} is now {change.Outcome} (asked leader {target.NameOf(leader.NodeId)})");
        await SettleAsync(client, target, change, stdout, stop);
        return ToolErrors.Ok;
    }

    private static async Task<int> ForceAsync(TubeClient client, TubeTarget target, Change change, TextWriter stdout,
        TextWriter stderr, CancellationToken stop)
    {
        ClusterStatus cluster = await ClusterStatus.ReadAsync(client, target, stop);
        MemberStatus chosen = cluster.MostUpToDate ?? throw new TubeUnavailableException(
            "no member answers, so there is nothing to force the change on", null);
        TubeStatus status = chosen.Status!;
        var voters = status.Voters.ToHashSet();
        var shadows = status.Shadows.ToHashSet();
        voters.Remove(change.Id);
        shadows.Remove(change.Id);
        if (change.Adding)
        {
            (change.Shadow ? shadows : voters).Add(change.Id);
        }

        await stderr.WriteLineAsync($"{Tool(change)}: WARNING: forcing the membership on {StatusCommand.NameOf(chosen, target)} " +
            "without safety checks; entries committed without it are lost");
        TubeStatus after = await client.ForceMembershipAsync(chosen.Address, voters, shadows, change.Id,
            change.Address, stop);
        await stdout.WriteLineAsync($"forced on {StatusCommand.NameOf(chosen, target)}: voters " +
            $"{Names(after.Voters, target)}; shadows {Names(after.Shadows, target)}");
        var reachable = cluster.Members.Where(m => m.Status is not null).Select(m => m.Status!.NodeId).ToHashSet();
        int answering = after.Voters.Count(reachable.Contains);
        if (answering <= after.Voters.Length / 2)
        {
            await stdout.WriteLineAsync($"note: only {answering} of the {after.Voters.Length} voters answer, so no " +
                "leader can be elected until a majority does (force the unreachable ones out too)");
            return ToolErrors.Ok;
        }

        await SettleAsync(client, target, change, stdout, stop);
        return ToolErrors.Ok;
    }

    /// <summary><c>tuberm -e NAME</c>: NAME forgets its membership (<see cref="TubeClient.ClearMembershipAsync"/>).</summary>
    private static async Task<int> EmptyAsync(TubeClient client, TubeTarget target, Change change, TextWriter stdout,
        TextWriter stderr, CancellationToken stop)
    {
        string address = change.Address ?? throw new UsageException($"{change.Name} is not in the config; pass its " +
            "address with -addr host:port");
        await stderr.WriteLineAsync($"tuberm: WARNING: {change.Name} forgets its membership (rescue)");
        TubeStatus after = await client.ClearMembershipAsync(address, stop);
        await stdout.WriteLineAsync($"cleared on {change.Name}: voters {Names(after.Voters, target)}; shadows " +
            $"{Names(after.Shadows, target)}; role {after.Role.ToString().ToLowerInvariant()}; it adopts the next " +
            "membership a leader sends it");
        return ToolErrors.Ok;
    }

    /// <summary>Waits (bounded) until a leader shows the change, and reports the leader; a removed leader hands over
    /// first.</summary>
    private static async Task SettleAsync(TubeClient client, TubeTarget target, Change change, TextWriter stdout,
        CancellationToken stop)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(SettleTime);
        try
        {
            while (true)
            {
                TubeStatus? leader = (await ClusterStatus.ReadAsync(client, target, deadline.Token)).Leader;
                if (leader is not null && change.IsDone(leader))
                {
                    await stdout.WriteLineAsync($"leader: {target.NameOf(leader.NodeId)} (term {leader.Term})");
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            await stdout.WriteLineAsync($"note: no leader showed the change within {SettleTime.TotalSeconds:0} s; " +
                "check with tubels");
        }
    }

    private static string Names(ulong[] ids, TubeTarget target) =>
        ids.Length == 0 ? "none" : string.Join(",", ids.Select(target.NameOf));

    private static string Tool(Change change) => change.Adding ? "tubeadd" : "tuberm";

    private sealed record Change(string Name, ulong Id, string? Address, bool Adding, bool Shadow)
    {
        public MembershipChangeKind Kind => (Adding, Shadow) switch
        {
            (true, false) => MembershipChangeKind.AddVoter,
            (true, true) => MembershipChangeKind.AddShadow,
            (false, false) => MembershipChangeKind.RemoveVoter,
            (false, true) => MembershipChangeKind.RemoveShadow,
        };

        public string Outcome => (Adding, Shadow) switch
        {
            (true, false) => "a voter",
            (true, true) => "a shadow",
            (false, false) => "not a voter",
            (false, true) => "not a shadow",
        };

        public bool IsDone(TubeStatus leader) => (Adding, Shadow) switch
        {
            (true, false) => leader.Voters.Contains(Id),
            (true, true) => leader.Shadows.Contains(Id) || leader.Voters.Contains(Id),
            (false, false) => !leader.Voters.Contains(Id) && leader.NodeId != Id,
            (false, true) => !leader.Shadows.Contains(Id),
        };
    }
}
