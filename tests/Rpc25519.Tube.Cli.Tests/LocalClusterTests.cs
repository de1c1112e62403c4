using System.Text.Json;

namespace Rpc25519.Tube.Cli.Tests;

/// <summary>The Tube tools as a user runs them: the built tube-local, tup, tubels, tubeadd and tuberm started as
/// processes against a three-replica cluster (three tube processes) that tube-local brought up on loopback. Each tool
/// run is bounded by <see cref="ToolRun.Limit"/>; the tests share one cluster, and the one that removes the leader puts
/// it back as a voter at the end.</summary>
public sealed class LocalClusterTests(LocalCluster cluster) : IClassFixture<LocalCluster>
{
    [Fact]
    public void UpPrintsHowToUseTheCluster()
    {
        Assert.Contains("is up", cluster.UpOutput);
        Assert.Contains($"export TUBE_CONFIG={cluster.Config}", cluster.UpOutput);
        Assert.Contains("tup", cluster.UpOutput);
    }

    [Fact]
    public async Task TubelsShowsThreeMembersAndExactlyOneLeader()
    {
        JsonElement status = await StatusAsync();
        JsonElement[] members = [.. status.GetProperty("members").EnumerateArray()];
        Assert.Equal(["node_0", "node_1", "node_2"], members.Select(m => m.GetProperty("name").GetString()));
        Assert.All(members, m => Assert.True(m.GetProperty("reachable").GetBoolean()));
        Assert.Single(members, m => m.GetProperty("role").GetString() == "leader");
        Assert.Equal(3, status.GetProperty("voters").GetArrayLength());

        ToolRun table = await cluster.RunAsync("tubels", cluster.Target);
        Assert.True(table.Code == 0, table.ToString());
        Assert.Matches(@"(?m)^NAME\s+ADDRESS\s+ROLE\s+TERM\s+LEADER\s+LAST\s+COMMIT\s+APPLIED\s+COMPACTED\s+CONFIG\s+PID\s+HOST$",
            table.Output);
        Assert.Contains($"leader {status.GetProperty("leader").GetString()} (term", table.Output);

        // Each member's process id (the one tube-local recorded) and host.
        foreach (JsonElement member in members)
        {
            string name = member.GetProperty("name").GetString()!;
            int pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(cluster.Root, "cluster", name + ".pid")));
            Assert.Equal(pid, member.GetProperty("pid").GetInt32());
            Assert.Equal(Environment.MachineName, member.GetProperty("host").GetString());
            Assert.Matches($@"(?m)^{name}\s.*\s{pid}\s+{Environment.MachineName}$", table.Output);
        }
    }

    [Fact]
    public async Task TupOneShotCommandsWriteReadAndReportAbsentKeys()
    {
        await Tup(0, "put", "color", "blue");
        JsonElement item = Json((await Tup(0, "get", "color", "--json")).Output);
        Assert.Equal("blue", item.GetProperty("value").GetString());
        Assert.Equal(1, item.GetProperty("version").GetInt64());

        // The default config comes from TUBE_CONFIG.
        ToolRun viaEnvironment = await ToolRun.RunAsync("tup", null,
            new Dictionary<string, string> { ["TUBE_CONFIG"] = cluster.Config }, "get", "color");
        Assert.True(viaEnvironment.Code == 0 && viaEnvironment.Output.Trim() == "blue", viaEnvironment.ToString());

        Assert.Contains("compare-and-swap failed", (await Tup(3, "cas", "color", "red", "green")).Errors);
        Assert.Equal(2, Json((await Tup(0, "cas", "color", "blue", "green", "--json")).Output).GetProperty("version").GetInt64());
        await Tup(0, "put", "colour", "grey", "--table", "uk");
        Assert.Contains("uk", Json((await Tup(0, "tables", "--json")).Output).EnumerateArray().Select(t => t.GetString()));

        string[] range = (await Tup(0, "range", "col", "colz", "--json")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["color"], range.Select(line => Json(line).GetProperty("key").GetString()));
        Assert.Equal("color green", (await Tup(0, "prefix", "colo")).Output.Trim());

        Assert.Equal("deleted color", (await Tup(0, "del", "color")).Output.Trim());
        ToolRun absent = await Tup(3, "get", "color");
        Assert.Contains("key 'color' not found in table 'base'", absent.Errors);
        Assert.False(Json((await Tup(3, "get", "color", "--json")).Output).GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task TupWatchPrintsTheChangesAfterAnIndex()
    {
        long first = Json((await Tup(0, "put", "w", "1", "--json")).Output).GetProperty("modifyIndex").GetInt64();
        long second = Json((await Tup(0, "put", "w", "2", "--json")).Output).GetProperty("modifyIndex").GetInt64();
        ToolRun watch = await Tup(0, "watch", "w", "--from", (first + 1).ToString(), "--count", "1", "--for", "30s", "--json");
        JsonElement change = Json(watch.Output.Trim());
        Assert.Equal(second, change.GetProperty("index").GetInt64());
        Assert.Equal("put", change.GetProperty("kind").GetString());
        Assert.Equal("2", change.GetProperty("value").GetString());
    }

    [Fact]
    public async Task TupShellRunsTheOriginalsCommandsFromStandardInput()
    {
        const string script = """
            !x 10
            !y 12 and more
            -
            .x
            cas x 10 11
            x
            &30s held mine
            @other a b
            ,other a
            newtable t2
            mv t2 t3
            show
            rmtable t3
            bogus words here
            &soon k v
            del y
            .y
            """;
        ToolRun shell = await cluster.RunWithInputAsync("tup", script, cluster.Target);
        Assert.True(shell.Code == 0, shell.ToString());
        string[] lines = shell.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("ok x version 1", lines[0]);
        Assert.Equal("ok y version 1", lines[1]);
        int descending = Array.IndexOf(lines, "y 12 and more");
        Assert.True(descending >= 0 && lines[descending + 1] == "x 10", shell.ToString()); // "-": highest key first
        Assert.Contains("ok x version 2", lines);
        Assert.Contains("11", lines);
        Assert.Contains("ok held version 1 leased for 30 s", lines);
        Assert.Contains("b", lines);
        Assert.Contains("renamed table 't2' to 't3'", lines);
        Assert.Contains("t3", lines);
        Assert.Contains("error: unknown command 'bogus'; type help", lines);
        Assert.Contains(lines, l => l.StartsWith("error: lease soon: give a positive duration", StringComparison.Ordinal));
        Assert.Equal("y: absent", lines[^1]);
    }

    /// <summary>On a terminal: the prompt names the leader and table, up-arrow recalls the last line, backspace edits
    /// it, Ctrl-C clears a half-typed line, Ctrl-D on an empty line leaves, and the lines are saved to the history
    /// file.</summary>
    [Fact]
    public async Task TupOnATerminalEditsRecallsAndSavesItsHistory()
    {
        string state = Path.Combine(cluster.Root, "terminal-state");
        await using (var terminal = TerminalSession.Start("tup", new Dictionary<string, string>
                     {
                         ["XDG_STATE_HOME"] = state, ["TERM"] = "xterm",
                     }, cluster.Target))
        {
            const string prompt = "(table 'base') > ";
            await terminal.WaitForAsync(prompt);
            Assert.Matches(@"\[node_\d connected\]\(table 'base'\) > ", terminal.Screen);
            await terminal.SendAsync("!edited 1\r");
            await terminal.WaitForAsync(prompt, after: "ok edited version 1");
            await terminal.SendAsync("\u001b[A\u007f2\r"); // up, backspace, 2, enter: "!edited 2"
            await terminal.WaitForAsync(prompt, after: "ok edited version 2");
            await terminal.SendAsync("half-typed\u0003"); // Ctrl-C clears the line...
            await terminal.WaitForAsync("^C");
            await terminal.SendAsync("\u0004"); // ...so Ctrl-D finds it empty and leaves
            Assert.Equal(0, await terminal.ExitAsync());
        }

        Assert.Equal(["!edited 1", "!edited 2"], await File.ReadAllLinesAsync(Path.Combine(state, "tube", "tup_history")));
    }

    [Fact]
    public async Task BadInputExitsNonZeroWithAClearMessage()
    {
        Assert.Contains("Unrecognized command or argument 'frob'", (await Tup(2, "frob")).Errors);
        Assert.Contains("Required argument missing", (await Tup(2, "get")).Errors);
        ToolRun noCluster = await cluster.RunAsync("tup", "get", "k");
        Assert.Equal(2, noCluster.Code);
        Assert.Contains("no cluster given", noCluster.Errors);

        // Nothing listens on the address: a bounded wait, then exit 1 and the reason.
        ToolRun unreachable = await cluster.RunAsync("tup", "get", "k", "-s", "127.0.0.1:9", "-tcp", "-timeout", "1s");
        Assert.True(unreachable.Code == 1, unreachable.ToString());
        Assert.Contains("No Tube member answered within 1 s", unreachable.Errors);
        Assert.Contains("Connection refused", unreachable.Errors);

        ToolRun lsDown = await cluster.RunAsync("tubels", "-s", "127.0.0.1:9", "-tcp", "-timeout", "1s");
        Assert.Equal(1, lsDown.Code);
        Assert.Contains("(no known leader)", lsDown.Output);

        Assert.Contains("Required argument missing", (await cluster.RunAsync("tubeadd", cluster.Target)).Errors);
        Assert.Contains("already a voter", (await cluster.RunAsync("tubeadd", ["node_1", .. cluster.Target])).Output);
        ToolRun noCommand = await cluster.RunAsync("tube-local");
        Assert.Equal(2, noCommand.Code);
        Assert.Contains("give a command: up, down or status", noCommand.Errors);
        ToolRun help = await cluster.RunAsync("tuberm", "-h");
        Assert.Equal(0, help.Code);
        Assert.Contains("LOSES DATA", help.Output);
    }

    [Fact]
    public async Task TubermOfTheLeaderMovesLeadershipAndKeepsTheData()
    {
        await Tup(0, "put", "kept", "yes");
        string leader = (await StatusAsync()).GetProperty("leader").GetString()!;
        ToolRun removed = await cluster.RunAsync("tuberm", [leader, .. cluster.Target]);
        Assert.True(removed.Code == 0, removed.ToString());
        Assert.Matches(@"leader: node_\d", removed.Output);
        Assert.DoesNotContain($"leader: {leader}", removed.Output);

        JsonElement after = await StatusAsync();
        Assert.NotEqual(leader, after.GetProperty("leader").GetString());
        Assert.Contains(leader, after.GetProperty("shadows").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("yes", (await Tup(0, "get", "kept")).Output.Trim());

        ToolRun back = await cluster.RunAsync("tubeadd", [leader, .. cluster.Target]);
        Assert.True(back.Code == 0, back.ToString());
        Assert.Equal(3, (await StatusAsync()).GetProperty("voters").GetArrayLength());
    }

    [Fact]
    public async Task TubermEmptyMakesAMemberForgetItsMembershipUntilTheLeaderSendsItAgain()
    {
        JsonElement status = await StatusAsync();
        string leader = status.GetProperty("leader").GetString()!;
        string follower = new[] { "node_0", "node_1", "node_2" }.First(n => n != leader);
        ToolRun cleared = await cluster.RunAsync("tuberm", ["-e", follower, .. cluster.Target]);
        Assert.True(cleared.Code == 0, cleared.ToString());
        Assert.Contains($"cleared on {follower}: voters none; shadows none; role follower", cleared.Output);
        Assert.Contains("WARNING", cleared.Errors);

        // The leader still lists it, so the next heartbeat gives it the membership back.
        await UntilAsync(async () =>
        {
            ToolRun ls = await cluster.RunAsync("tubels", [.. cluster.Target, "--json"]);
            return ls.Code == 0 && Json(ls.Output).GetProperty("members").EnumerateArray()
                .Single(m => m.GetProperty("name").GetString() == follower).GetProperty("voters").GetArrayLength() == 3;
        }, $"{follower} learning the leader's membership again");

        ToolRun combined = await cluster.RunAsync("tuberm", ["-e", "-f", follower, .. cluster.Target]);
        Assert.True(combined.Code == 2, combined.ToString());
        Assert.Contains("-e cannot be combined with -f or -shadow", combined.Errors);
        Assert.Equal(2, (await cluster.RunAsync("tubeadd", ["-e", follower, .. cluster.Target])).Code);
        ToolRun help = await cluster.RunAsync("tuberm", "-h");
        Assert.Contains("forget its membership", help.Output);
    }

    [Fact]
    public async Task TubeZapStartsWithNoMembershipAndKeepsTheData()
    {
        string config = SoloConfig();
        string[] solo = ["-config", config, "-timeout", "3s"];
        using (ReplicaRun first = ReplicaRun.Start("-config", config))
        {
            await first.WaitForAsync("serving at");
            await UntilAsync(async () => (await cluster.RunAsync("tup", ["put", "z", "1", .. solo])).Code == 0,
                "the one-node cluster taking a write");
        }

        ToolRun withLog = await cluster.RunAsync("tube", "-config", config, "-zap", "-log");
        Assert.True(withLog.Code == 2, withLog.ToString());
        Assert.Contains("-zap and -log cannot be combined", withLog.Errors);

        using (ReplicaRun zapped = ReplicaRun.Start("-config", config, "-zap"))
        {
            await zapped.WaitForAsync("serving at");
            Assert.Contains("tube: -zap: solo forgot its stored membership v1 (1 voter(s), 0 shadow(s))", zapped.Output);
            // No membership: it must not elect itself. Watched for three election timeouts (1 s each); a sample in
            // which the loaded machine kept it from answering in time shows nothing either way.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int answered = 0;
            while (watch.Elapsed < TimeSpan.FromSeconds(3) || answered == 0)
            {
                Assert.True(watch.Elapsed < ToolRun.Limit, "the zapped node never answered tubels");
                ToolRun ls = await cluster.RunAsync("tubels", [.. solo, "--json"]);
                Assert.True(ls.Code == 1, $"a zapped node with no membership led: {ls}");
                JsonElement member = Json(ls.Output).GetProperty("members")[0];
                if (member.GetProperty("reachable").GetBoolean())
                {
                    answered++;
                    Assert.Equal("follower", member.GetProperty("role").GetString());
                    Assert.Equal(0, member.GetProperty("voters").GetArrayLength());
                }
            }
        }

        // Without -zap, a node that never heard a membership starts from the config's, as a fresh node does.
        using ReplicaRun again = ReplicaRun.Start("-config", config);
        await again.WaitForAsync("serving at");
        await UntilAsync(async () => (await cluster.RunAsync("tup", ["get", "z", .. solo])).Output.Trim() == "1",
            "the data written before -zap");
    }

    /// <summary>A one-node cluster's config with this cluster's keys, its own data directory and a free port.</summary>
    private string SoloConfig()
    {
        string node0 = File.ReadAllText(cluster.Config);
        int port = FreePort();
        string path = Path.Combine(cluster.Root, "solo.cfg");
        File.WriteAllText(path, $$"""
            (tubeConfig ClusterID: "solo" MyName: "solo" Node2Addr: {"solo": "127.0.0.1:{{port}}"}
              DataDir: "{{Path.Combine(cluster.Root, "solo-data")}}"
              HeartbeatDur: (dur "100ms") MinElectionDur: (dur "1000ms") ClockDriftBound: (dur "100ms")
              {{node0[node0.IndexOf("RpcCfg:", StringComparison.Ordinal)..]}}
            """);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"waited 30 s for {what}");
            await Task.Delay(200);
        }
    }

    private async Task<JsonElement> StatusAsync()
    {
        ToolRun status = await cluster.RunAsync("tubels", [.. cluster.Target, "--json"]);
        Assert.True(status.Code == 0, status.ToString());
        return Json(status.Output);
    }

    private async Task<ToolRun> Tup(int expectedCode, params string[] args)
    {
        ToolRun run = await cluster.RunAsync("tup", [.. args, .. cluster.Target]);
        Assert.True(run.Code == expectedCode, $"tup {string.Join(' ', args)}: expected exit {expectedCode}, got {run}");
        return run;
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
