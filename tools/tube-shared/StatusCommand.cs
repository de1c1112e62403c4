using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tools;

/// <summary><c>tubels</c>: every member's status as a table (or JSON), then the leader's membership.</summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        var flags = new TubeClientFlags();
        var json = new Option<bool>("--json", "-json") { Description = "print JSON instead of a table" };
        var root = new RootCommand("tubels: the status of every member of a Tube cluster (role, term, leader, last " +
            "index, commit, applied, compaction base, membership, process id, host), then the leader's voters and " +
            "shadows. Exit 0 " +
            "when a leader answers, 1 when none does, 2 on a bad command line.") { json };
        flags.AddTo(root);

        if (CommandLine.HelpOrErrors("tubels", root, args, stdout, stderr) is { } early)
        {
            return early;
        }

        ParseResult parsed = root.Parse(args);
        try
        {
            TubeTarget target = flags.Resolve(parsed);
            await using var client = new TubeClient(target.Options);
            ClusterStatus cluster = await ClusterStatus.ReadAsync(client, target, stop);
            if (parsed.GetValue(json))
            {
                await stdout.WriteLineAsync(ToJson(cluster, target));
            }
            else
            {
                await stdout.WriteAsync(ToTable(cluster, target));
            }

            return cluster.Leader is null ? ToolErrors.Failed : ToolErrors.Ok;
        }
        catch (Exception e) when (ToolErrors.Report("tubels", e, stderr) is { } code)
        {
            return code;
        }
    }

    public static string NameOf(MemberStatus member, TubeTarget target) => member.Status is { } status
        ? target.NameOf(status.NodeId)
        : target.Config?.Node2Addr.Keys.FirstOrDefault(n => target.Config.AddressOf(n) == member.Address)
          ?? member.Address;

    public static string ToTable(ClusterStatus cluster, TubeTarget target)
    {
        var rows = new List<string[]>
        {
            new[]
            {
                "NAME", "ADDRESS", "ROLE", "TERM", "LEADER", "LAST", "COMMIT", "APPLIED", "COMPACTED", "CONFIG", "PID",
                "HOST",
            },
        };
        foreach (MemberStatus member in cluster.Members)
        {
            string name = NameOf(member, target);
            rows.Add(member.Status is { } s
                ? [name, member.Address, s.Role.ToString().ToLowerInvariant(), N(s.Term), target.NameOf(s.LeaderId),
                    N(s.LastIndex), N(s.CommitIndex), N(s.AppliedIndex), N(s.SnapshotIndex), "v" + N(s.MembershipVersion),
                    s.ProcessId == 0 ? "-" : N(s.ProcessId), s.HostName ?? "-"]
                : [name, member.Address, "unreachable", "-", "-", "-", "-", "-", "-", "-", "-", "-"]);
        }

        int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length))];
        var text = new System.Text.StringBuilder();
        foreach (string[] row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        foreach (MemberStatus member in cluster.Members.Where(m => m.Error is not null))
        {
            text.AppendLine($"{NameOf(member, target)}: {member.Error}");
        }

        if (cluster.Leader is { } leader)
        {
            text.AppendLine($"leader {target.NameOf(leader.NodeId)} (term {leader.Term}): voters " +
                $"{Names(leader.Voters, target)}; shadows {Names(leader.Shadows, target)}");
        }
        else
        {
            text.AppendLine("(no known leader)");
        }

        return text.ToString();
    }

    private static string ToJson(ClusterStatus cluster, TubeTarget target)
    {
        TubeStatus? leader = cluster.Leader;
        var document = new Dictionary<string, object?>
        {
            ["leader"] = leader is null ? null : target.NameOf(leader.NodeId),
            ["term"] = leader?.Term,
            ["voters"] = leader?.Voters.Select(target.NameOf).ToArray(),
            ["shadows"] = leader?.Shadows.Select(target.NameOf).ToArray(),
            ["members"] = cluster.Members.Select(m => new Dictionary<string, object?>
            {
                ["name"] = NameOf(m, target),
                ["address"] = m.Address,
                ["reachable"] = m.Status is not null,
                ["error"] = m.Error,
                ["role"] = m.Status?.Role.ToString().ToLowerInvariant(),
                ["term"] = m.Status?.Term,
                ["leader"] = m.Status is null ? null : target.NameOf(m.Status.LeaderId),
                ["lastIndex"] = m.Status?.LastIndex,
                ["commitIndex"] = m.Status?.CommitIndex,
                ["appliedIndex"] = m.Status?.AppliedIndex,
                ["snapshotIndex"] = m.Status?.SnapshotIndex,
                ["membershipVersion"] = m.Status?.MembershipVersion,
                ["voters"] = m.Status?.Voters.Select(target.NameOf).ToArray(),
                ["shadows"] = m.Status?.Shadows.Select(target.NameOf).ToArray(),
                ["pid"] = m.Status is { ProcessId: > 0 } s ? s.ProcessId : null,
                ["host"] = m.Status?.HostName,
            }).ToArray(),
        };
        return JsonSerializer.Serialize(document);
    }

    private static string Names(IEnumerable<ulong> ids, TubeTarget target)
    {
        string joined = string.Join(",", ids.Select(target.NameOf).Order(StringComparer.Ordinal));
        return joined.Length == 0 ? "none" : joined;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
