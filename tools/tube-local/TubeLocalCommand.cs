using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rpc25519.Security;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tools.TubeLocal;

/// <summary><c>tube-local up|down|status</c>: a three-node cluster on loopback. Exit 0 done, 1 failed, 2 bad
/// command line.</summary>
internal static class TubeLocalCommand
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        var dir = new Option<string?>("--dir", "-dir")
        {
            Description = "where configs, logs, pid files and data live (default ~/.local/state/tube/local)",
            Recursive = true,
        };
        var certs = new Option<string?>("--certs", "-certs") { Description = "certificate directory (default: selfy's)" };
        var secrets = new Option<string?>("--private", "-private")
        {
            Description = "the CA's private directory, used when keys must be made (default: selfy's)",
        };
        var basePort = new Option<int>("--base-port", "-base-port")
        {
            Description = "node_0 listens on this port, node_1 and node_2 on the next two (0: any free ports)",
            DefaultValueFactory = _ => 7000,
        };
        var tube = new Option<string?>("--tube", "-tube") { Description = "the tube executable (default: the one " +
            "beside tube-local, else tube on PATH)" };
        var wait = new Option<string>("--wait", "-wait")
        {
            Description = "down: how long to wait after SIGTERM before SIGKILL", DefaultValueFactory = _ => "10s",
        };
        var wipe = new Option<bool>("--wipe", "-wipe") { Description = "down: also delete the configs, logs and data" };
        var json = new Option<bool>("--json", "-json") { Description = "status: JSON output" };
        var up = new Command("up", "make keys if missing, write three configs, start three tube replicas on " +
            "127.0.0.1, add them to one cluster, and print how to use it") { certs, secrets, basePort, tube };
        var down = new Command("down", "stop the replicas by pid: SIGTERM, then SIGKILL after --wait") { wait, wipe };
        var status = new Command("status", "show each replica's process and the cluster's status (tubels)") { json };
        var root = new RootCommand("tube-local: a three-node Tube cluster on this machine's loopback, in one command. " +
            "Exit 0 done, 1 failed, 2 bad command line.") { dir, up, down, status };
        root.SetAction(_ => ToolErrors.Usage); // no command: the clearer message below, not the parser's
        if (CommandLine.HelpOrErrors("tube-local", root, args, stdout, stderr) is { } early)
        {
            return early;
        }

        ParseResult parsed = root.Parse(args);
        if (parsed.CommandResult.Command == root)
        {
            await stderr.WriteLineAsync("tube-local: error: give a command: up, down or status (see tube-local -h)");
            return ToolErrors.Usage;
        }

        var layout = new LocalLayout(Path.GetFullPath(parsed.GetValue(dir) ?? LocalLayout.DefaultRoot()));
        try
        {
            return parsed.CommandResult.Command.Name switch
            {
                "up" => await UpAsync(layout, parsed.GetValue(certs), parsed.GetValue(secrets),
                    parsed.GetValue(basePort), parsed.GetValue(tube), stdout, stderr, stop),
                "down" => await DownAsync(layout, Durations.Parse(parsed.GetValue(wait)!, "--wait"),
                    parsed.GetValue(wipe), stdout),
                _ => await StatusAsync(layout, parsed.GetValue(json), stdout, stderr, stop),
            };
        }
        catch (Exception e) when (ToolErrors.Report("tube-local", e, stderr) is { } code)
        {
            return code;
        }
    }

    private static async Task<int> UpAsync(LocalLayout layout, string? certs, string? secrets, int basePort,
        string? tube, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        var running = LocalLayout.Names.Where(n => LocalProcesses.ReadPid(layout.PidFile(n)) is { } pid
            && LocalProcesses.IsTube(pid)).ToList();
        if (running.Count > 0)
        {
            await stderr.WriteLineAsync($"tube-local: error: {string.Join(", ", running)} already running from " +
                $"{layout.Root}; run tube-local down first");
            return ToolErrors.Failed;
        }

        string[] command = TubeCommandLine(tube);
        Directory.CreateDirectory(layout.Root);
        string certsDirectory = certs ?? SecurityPaths.DefaultCertsDirectory;
        await MakeKeysAsync(certsDirectory, secrets ?? SecurityPaths.DefaultPrivateDirectory, stdout);
        WriteConfigs(layout, certsDirectory, basePort, stdout);
        foreach (string name in LocalLayout.Names)
        {
            int pid = LocalProcesses.Start(command, layout.Config(name), layout.Log(name));
            await File.WriteAllTextAsync(layout.PidFile(name), pid.ToString(CultureInfo.InvariantCulture), stop);
        }

        TubeConfig first = TubeConfigFile.Load(layout.Config(LocalLayout.Names[0]));
        var target = new TubeTarget(new TubeClientOptions
        {
            Members = [.. first.Node2Addr.Keys.Select(first.AddressOf)], Rpc = first.RpcCfg.Clone(),
            OperationTimeout = TimeSpan.FromSeconds(3), AttemptTimeout = TimeSpan.FromSeconds(1),
        }, first);
        if (await WaitServingAsync(layout, target, stderr, stop) is { } failed)
        {
            return failed;
        }

        foreach (string name in LocalLayout.Names.Skip(1))
        {
            int code = await MembershipCommand.RunAsync("tubeadd", adding: true,
                [name, "-config", layout.Config(LocalLayout.Names[0])], stdout, stderr, stop);
            if (code != ToolErrors.Ok)
            {
                await stderr.WriteLineAsync($"tube-local: error: adding {name} failed; see {layout.Log(name)}");
                return ToolErrors.Failed;
            }
        }

        PrintUsage(layout, first, stdout);
        return ToolErrors.Ok;
    }

    /// <summary>Waits until every replica answers and node_0 (the InitialLeaderName) leads; null when ready, else
    /// the exit code after telling which replica failed.</summary>
    private static async Task<int?> WaitServingAsync(LocalLayout layout, TubeTarget target, TextWriter stderr,
        CancellationToken stop)
    {
        await using var client = new TubeClient(target.Options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        deadline.CancelAfter(StartPatience);
        string last = "";
        while (!deadline.IsCancellationRequested)
        {
            foreach (string name in LocalLayout.Names)
            {
                if (LocalProcesses.ReadPid(layout.PidFile(name)) is not { } pid || !LocalProcesses.IsTube(pid))
                {
                    string log = File.Exists(layout.Log(name)) ? await File.ReadAllTextAsync(layout.Log(name), stop) : "";
                    await stderr.WriteLineAsync($"tube-local: error: {name} exited at start; its log " +
                        $"({layout.Log(name)}) ends:{Environment.NewLine}{string.Join(Environment.NewLine, log.Split('\n').TakeLast(8))}");
                    return ToolErrors.Failed;
                }
            }

            ClusterStatus cluster = await ClusterStatus.ReadAsync(client, target, deadline.Token)
                .WaitAsync(StartPatience, CancellationToken.None);
            last = string.Join("; ", cluster.Members.Where(m => m.Error is not null).Select(m => $"{m.Address}: {m.Error}"));
            if (cluster.Members.All(m => m.Status is not null) && cluster.Leader is not null)
            {
                return null;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        await stderr.WriteLineAsync($"tube-local: error: the replicas did not all answer within " +
            $"{StartPatience.TotalSeconds:0} s ({last}); see the logs in {layout.Root}");
        return ToolErrors.Failed;
    }

    private static async Task<int> DownAsync(LocalLayout layout, TimeSpan grace, bool wipe, TextWriter stdout)
    {
        int stopped = 0;
        foreach (string name in LocalLayout.Names)
        {
            if (LocalProcesses.ReadPid(layout.PidFile(name)) is { } pid)
            {
                await stdout.WriteLineAsync($"{name} (pid {pid}): {await LocalProcesses.StopAsync(pid, grace)}");
                File.Delete(layout.PidFile(name));
                stopped++;
            }
        }

        if (stopped == 0)
        {
            await stdout.WriteLineAsync($"nothing to stop in {layout.Root}");
        }

        if (wipe && Directory.Exists(layout.Root))
        {
            Directory.Delete(layout.Root, recursive: true);
            await stdout.WriteLineAsync($"deleted {layout.Root}");
        }

        return ToolErrors.Ok;
    }

    private static async Task<int> StatusAsync(LocalLayout layout, bool json, TextWriter stdout, TextWriter stderr,
        CancellationToken stop)
    {
        string config = layout.Config(LocalLayout.Names[0]);
        if (!File.Exists(config))
        {
            await stderr.WriteLineAsync($"tube-local: error: no local cluster in {layout.Root}; run tube-local up");
            return ToolErrors.Failed;
        }

        if (!json)
        {
            foreach (string name in LocalLayout.Names)
            {
                int? pid = LocalProcesses.ReadPid(layout.PidFile(name));
                await stdout.WriteLineAsync($"{name}: " + (pid is { } p && LocalProcesses.IsTube(p)
                    ? $"running (pid {p})"
                    : "not running"));
            }
        }

        return await StatusCommand.RunAsync(["-config", config, "-timeout", "3s", .. json ? ["--json"] : Array.Empty<string>()],
            stdout, stderr, stop);
    }

    private static async Task MakeKeysAsync(string certs, string secrets, TextWriter stdout)
    {
        if (File.Exists(Path.Combine(certs, "tube.crt")) && File.Exists(Path.Combine(certs, "tube.key")))
        {
            return;
        }

        if (!File.Exists(Path.Combine(secrets, SelfCertificates.CaCertificateFileName)))
        {
            SelfCertificates.CreateCertificateAuthority(secrets, passphrase: null);
            await stdout.WriteLineAsync($"made a CA in {secrets} (as selfy -ca -nopass)");
        }

        SelfCertificates.CreateKeyPair("tube", $"tube@{Environment.MachineName}", certs, secrets, passphrase: null,
            path => Environment.GetEnvironmentVariable(Passphrase.EnvironmentVariable) is { Length: > 0 } env
                ? env
                : Passphrase.ConsolePrompt(path));
        await stdout.WriteLineAsync($"made the key pair tube in {certs} (as selfy -k tube -nopass)");
    }

    private static void WriteConfigs(LocalLayout layout, string certs, int basePort, TextWriter stdout)
    {
        if (LocalLayout.Names.All(n => File.Exists(layout.Config(n))))
        {
            stdout.WriteLine($"using the configs in {layout.Root}");
            return;
        }

        int[] ports = basePort == 0 ? FreePorts(LocalLayout.Names.Length)
            : [.. Enumerable.Range(basePort, LocalLayout.Names.Length)];
        string book = string.Join(", ", LocalLayout.Names.Select((n, i) => $"\"{n}\": \"127.0.0.1:{ports[i]}\""));
        foreach (string name in LocalLayout.Names)
        {
            File.WriteAllText(layout.Config(name), $$"""
                // Written by tube-local up. node_0 bootstraps the cluster; tube-local adds node_1 and node_2.
                (tubeConfig
                          ClusterID: "local",
                             MyName: "{{name}}",
                          Node2Addr: {{{book}}},
                            DataDir: "{{layout.Data(name)}}",
                       HeartbeatDur: (dur "100ms"),
                     MinElectionDur: (dur "1000ms"),
                    ClockDriftBound: (dur "100ms"),
                  InitialLeaderName: "node_0",
                             RpcCfg: (rpc25519_Config
                                        CertPath: "{{certs}}",
                               ServerKeyPairName: "tube",
                               ClientKeyPairName: "tube",
                             KnownClientKeysPath: "",
                             KnownServerKeysPath: "")
                )

                """);
        }

        stdout.WriteLine($"wrote {string.Join(", ", LocalLayout.Names.Select(layout.Config))}");
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        int[] ports = [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary>The command that runs tube: --tube, else tube (or tube.dll) beside this program, else tube on
    /// PATH.</summary>
    private static string[] TubeCommandLine(string? tube)
    {
        if (tube is not null)
        {
            return File.Exists(tube) ? [Path.GetFullPath(tube)] : throw new UsageException($"--tube {tube}: no such file");
        }

        // Under "dotnet tube-local.dll" run "dotnet tube.dll" with the same host; the tube apphost may not find the
        // runtime on machines where dotnet lives outside the default places.
        string beside = Path.Combine(AppContext.BaseDirectory, "tube");
        bool underDotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet";
        if (File.Exists(beside + ".dll") && (underDotnet || !File.Exists(beside)))
        {
            return [underDotnet ? Environment.ProcessPath! : "dotnet", beside + ".dll"];
        }

        if (File.Exists(beside))
        {
            return [beside];
        }

        string? onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "tube")).FirstOrDefault(File.Exists);
        return onPath is not null ? [onPath]
            : throw new UsageException("cannot find the tube executable beside tube-local or on PATH; pass --tube PATH");
    }

    private static void PrintUsage(LocalLayout layout, TubeConfig first, TextWriter stdout)
    {
        stdout.WriteLine($"""

            local Tube cluster "local" is up: {string.Join(", ", LocalLayout.Names.Select(n => $"{n} {first.AddressOf(n)}"))}
            logs and data in {layout.Root}. Use it with:
              export TUBE_CONFIG={layout.Config(LocalLayout.Names[0])}
              tup                     # the shell: !x 10   .x   +   (help lists all; Ctrl-D leaves)
              tup put k v && tup get k
              tubels                  # or: tube-local status
              tuberm node_0           # leadership moves, the data stays
              tube-local down         # stop (SIGTERM, then SIGKILL)
            """);
    }
}
