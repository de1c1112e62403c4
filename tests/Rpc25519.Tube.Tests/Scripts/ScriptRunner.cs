using System.Globalization;
using System.Text;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests.Scripts;

/// <summary>
/// Runs one scenario script against a <see cref="TestCluster"/>. Each command prints what it observed; the driver
/// compares that with the expected block under the command. Commands (all loops are bounded by TestCluster):
/// <code>
/// cluster voters=3 [extra=1] [batch=N] [window=N] [chunk=N]   elect [node=N]   tick [N]   stabilize   status
/// propose node=N [count=N]   change node=N kind=AddVoter|RemoveVoter|AddShadow|RemoveShadow id=N
/// read node=N id=N [lease]   readstates node=N   transfer node=N to=N   compact node=N
/// isolate N   cut A B   heal   crash N   restart N   _breakpoint
/// </code>
/// </summary>
internal sealed class ScriptRunner
{
    private TestCluster? cluster;

    private TestCluster Cluster => cluster ?? throw new InvalidOperationException("start with: cluster voters=N");

    public string Execute(string command, IReadOnlyDictionary<string, string> args, IReadOnlyList<string> positional)
    {
        long Arg(string name, long fallback = 0) =>
            args.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
        ulong Id(int position) => ulong.Parse(positional[position], CultureInfo.InvariantCulture);

        switch (command)
        {
            case "cluster":
                cluster = NewCluster(Arg);
                return Status();
            case "elect":
                ulong leader = args.ContainsKey("node")
                    ? ReplicationTests.ElectNode(Cluster, (ulong)Arg("node"))
                    : Cluster.ElectLeader();
                return $"leader {leader} term {Cluster.Node(leader).Term}";
            case "tick":
                Cluster.TickAll((int)Arg("n", positional.Count > 0 ? long.Parse(positional[0],
                    CultureInfo.InvariantCulture) : 1));
                return Status();
            case "stabilize":
                Cluster.Stabilize();
                return Status();
            case "status":
                return Status();
            case "propose":
                var results = Enumerable.Range(0, (int)Arg("count", 1))
                    .Select(i => Cluster.Propose((ulong)Arg("node"), i)).ToList();
                return string.Join(' ', results.GroupBy(r => r).Select(g => $"{g.Key}x{g.Count()}"));
            case "change":
                var kind = Enum.Parse<MembershipChangeKind>(args["kind"]);
                return Cluster.Node((ulong)Arg("node")).ProposeMembershipChange(kind, (ulong)Arg("id")).ToString();
            case "read":
                var node = Cluster.Node((ulong)Arg("node"));
                bool accepted = positional.Contains("lease") ? node.LeaseRead((ulong)Arg("id"))
                    : node.ReadIndex((ulong)Arg("id"));
                return accepted ? "accepted" : "refused";
            case "readstates":
                var reads = Cluster.ReadStates[Arg("node") - 1];
                return reads.Count == 0 ? "none" : string.Join(' ', reads.Select(r => $"id{r.RequestId}@{r.Index}"));
            case "transfer":
                return Cluster.Node((ulong)Arg("node")).TransferLeadership((ulong)Arg("to")) ? "started" : "refused";
            case "compact":
                var compacting = Cluster.Node((ulong)Arg("node"));
                var snapshot = compacting.Compact(compacting.AppliedIndex, new byte[(int)Arg("bytes", 16)]);
                Cluster.Hosts[compacting.Id - 1].Storage.Compact(snapshot);
                return $"snapshot {snapshot.Index}@{snapshot.Term}";
            case "isolate":
                Cluster.Isolate(Id(0));
                return "ok";
            case "cut":
                Cluster.Cut(Id(0), Id(1));
                return "ok";
            case "heal":
                Cluster.Heal();
                return "ok";
            case "crash":
                Cluster.Crash(Id(0));
                return "ok";
            case "restart":
                Cluster.Restart(Id(0));
                return Status();
            case "_breakpoint":
                return "ok"; // Put a debugger breakpoint here to stop at this point of a script.
            default:
                throw new InvalidOperationException($"unknown command '{command}'");
        }
    }

    private static TestCluster NewCluster(Func<string, long, long> arg) =>
        new((int)arg("voters", 3), (int)arg("extra", 0), o =>
        {
            o.EntriesPerMessageMax = (int)arg("batch", o.EntriesPerMessageMax);
            o.InflightMessagesMax = (int)arg("window", o.InflightMessagesMax);
            o.SnapshotChunkBytes = (int)arg("chunk", o.SnapshotChunkBytes);
        });

    private string Status()
    {
        var text = new StringBuilder();
        foreach (var host in Cluster.Hosts)
        {
            var node = host.Node;
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(CultureInfo.InvariantCulture, $"{host.Id}: {(host.Alive ? node.Role.ToString() : "Down")} ")
                .Append(CultureInfo.InvariantCulture,
                    $"term={node.Term} last={node.LastIndex} commit={node.CommitIndex} ")
                .Append(CultureInfo.InvariantCulture,
                    $"applied={host.Applied} snap={node.SnapshotIndex} {node.Membership}");
        }

        return text.ToString();
    }
}
