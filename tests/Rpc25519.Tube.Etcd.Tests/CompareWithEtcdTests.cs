using System.Text;
using System.Text.RegularExpressions;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>The same etcdctl script against Tube's endpoint and against a real etcd: the transcripts (exit codes,
/// stdout, stderr) must be equal once lease IDs and remaining TTLs are normalized (<see cref="Normalize"/>).</summary>
[Collection(EtcdCollection.Name)]
public sealed partial class CompareWithEtcdTests(TubeEtcdCluster tube, RealEtcd etcd)
{
    private const string Txn1 = "value(\"cmp/foo\") = \"baz\"\n\nput cmp/foo qux\nget cmp/foo\n\nput cmp/foo nope\n\n";
    private const string Txn2 =
        "version(\"cmp/foo\") > \"0\"\nmod(\"cmp/foo\") > \"0\"\ncreate(\"cmp/new\") = \"0\"\n\nput cmp/new fresh\ndel cmp/foo\n\nget cmp/foo\n\n";

    /// <summary>Each step: the arguments ({lease} is the lease the script granted) and what goes to stdin.</summary>
    private static readonly (string[] Args, string? Stdin)[] Script =
    [
        (["put", "cmp/foo", "bar"], null),
        (["get", "cmp/foo"], null),
        (["put", "cmp/foo", "baz", "--prev-kv"], null),
        (["get", "cmp/foo", "--print-value-only"], null),
        (["put", "cmp/a/1", "x"], null),
        (["put", "cmp/a/2", "y"], null),
        (["put", "cmp/a/3", "z"], null),
        (["get", "cmp/a/", "--prefix"], null),
        (["get", "cmp/a/", "--prefix", "--keys-only"], null),
        (["get", "cmp/a/", "--prefix", "--limit=2"], null),
        (["get", "cmp/a/", "--prefix", "--sort-by=KEY", "--order=DESCEND"], null),
        (["get", "cmp/a/", "--prefix", "--sort-by=VALUE", "--order=DESCEND", "--limit=2"], null),
        (["get", "cmp/a/1", "cmp/a/3"], null),
        (["get", "cmp/a/", "--prefix", "-w", "json"], null),
        (["put", "cmp/a/1", "x2", "-w", "json"], null),
        (["get", "cmp/nothing"], null),
        (["del", "cmp/a/1"], null),
        (["del", "cmp/a/", "--prefix", "--prev-kv"], null),
        (["del", "cmp/nothing"], null),
        (["txn"], Txn1),
        (["txn"], Txn1),
        (["txn"], Txn2),
        (["get", "cmp/", "--prefix"], null),
        (["lease", "grant", "60"], null),
        (["put", "cmp/leased", "v", "--lease={lease}"], null),
        (["lease", "keep-alive", "--once", "{lease}"], null),
        (["lease", "timetolive", "{lease}"], null),
        (["lease", "timetolive", "--keys", "{lease}"], null),
        (["get", "cmp/leased"], null),
        (["lease", "revoke", "{lease}"], null),
        (["get", "cmp/leased"], null),
        (["lease", "timetolive", "{lease}"], null),
        (["lease", "revoke", "{lease}"], null),
        (["lease", "keep-alive", "--once", "{lease}"], null),
        (["put", "cmp/x", "y", "--lease=1234abcd"], null),
        (["put", "", "empty key"], null),
    ];

    [Fact]
    public async Task EtcdctlPrintsTheSameForTubeAsForEtcd()
    {
        string real = etcd.RequireAddress();
        string atEtcd = await RunScriptAsync(real);
        string atTube = await RunScriptAsync(tube.Address);
        Assert.Equal(atEtcd, atTube);
    }

    /// <summary>Runs the script and writes its transcript, normalized.</summary>
    private static async Task<string> RunScriptAsync(string endpoint)
    {
        var transcript = new StringBuilder();
        string lease = "";
        foreach (var (args, stdin) in Script)
        {
            string[] actual = [.. args.Select(a => a.Replace("{lease}", lease, StringComparison.Ordinal))];
            var result = await Etcdctl.RunAsync(endpoint, actual, stdin);
            if (args is ["lease", "grant", ..] && LeaseGranted().Match(result.Stdout) is { Success: true } m)
            {
                lease = m.Groups[1].Value;
            }

            transcript.Append("$ etcdctl ").AppendJoin(' ', args).Append('\n')
                .Append(Normalize(result.Stdout))
                .Append(result.Stderr.Length > 0 ? "[stderr] " + Normalize(result.Stderr) : "")
                .Append($"[exit {result.ExitCode}]\n");
        }

        return transcript.ToString();
    }

    /// <summary>What each server numbers its own way, or the client stamps per run, becomes "?": lease IDs (16 hex
    /// digits), remaining(Ns), the JSON output's revisions and ids, and the time stamp and connection name of
    /// etcdctl's own warning lines.</summary>
    internal static string Normalize(string text)
    {
        text = HexLeaseId().Replace(text, "<lease>");
        text = Remaining().Replace(text, "remaining(?s)");
        text = JsonNumber().Replace(text, "\"$1\":?");
        text = ClientLogStamp().Replace(text, "\"ts\":\"?\"");
        return ClientTarget().Replace(text, "endpoint://client-?");
    }

    [GeneratedRegex("lease ([0-9a-f]{16}) granted")]
    private static partial Regex LeaseGranted();

    [GeneratedRegex(@"\b[0-9a-f]{16}\b")]
    private static partial Regex HexLeaseId();

    [GeneratedRegex(@"remaining\(\d+s\)")]
    private static partial Regex Remaining();

    [GeneratedRegex(@"""(cluster_id|member_id|revision|raft_term|create_revision|mod_revision)"":\d+")]
    private static partial Regex JsonNumber();

    [GeneratedRegex(@"""ts"":""[^""]*""")]
    private static partial Regex ClientLogStamp();

    [GeneratedRegex(@"endpoint://client-[0-9a-f-]+/[0-9.]+:\d+")]
    private static partial Regex ClientTarget();
}
