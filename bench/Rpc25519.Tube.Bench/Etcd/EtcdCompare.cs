using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// The <c>etcd</c> mode: Tube against etcd in the same run, three members each as separate processes on loopback,
/// fsync on, data on the disk under the temp folder (Tube over TLS 1.3, etcd over plain HTTP). Three systems: "Tube"
/// (Tube's own TubeClient), "Tube3" (a second Tube cluster of <c>tube -etcd</c> processes, driven through Tube's etcd
/// v3 endpoint by the dotnet-etcd client) and "etcd" (the same dotnet-etcd client against etcd), so Tube3 against
/// etcd is the same client against both servers. Four lines with the same payloads (16-byte keys, 128-byte values):
/// put with 1 caller, put with 64 callers, linearizable get with 64 callers, compare-and-swap with 64 callers. Rounds
/// alternate Tube, Tube3, etcd, Tube…; the table gives the median and min–max over the rounds, the ratios to etcd,
/// fsyncs per group-commit batch, and the load average.
/// Usage: <c>etcd [--seconds N] [--rounds R] [--tube PATH] [--tube-only]</c> (defaults 5 and 3; PATH is the tube tool,
/// tube.dll or its executable, by default the one built under tools/tube, else <c>tube</c> on PATH; <c>--tube-only</c>
/// runs Tube's lines alone and prints each replica's <see cref="StageTimes"/> after each line, for profiling).
/// </summary>
internal static class EtcdCompare
{
    private const int KeyBytes = 16;
    private const int ValueBytes = 128;
    private const int KeysPerCaller = 1024;
    private const double Target = 2.0;

    /// <summary>The longest wait for a quiet machine before a line (<see cref="QuietMachine"/>).</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(10);

    private static readonly (string Name, int Callers)[] Lines =
    [
        ("put, 1 caller", 1), ("put, 64 callers", 64), ("get, 64 callers", 64), ("CAS, 64 callers", 64),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        if (typeof(EtcdCompare).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is
            [DebuggableAttribute { IsJITOptimizerDisabled: true }])
        {
            await Console.Error.WriteLineAsync("Refusing to benchmark a Debug build: run with -c Release.");
            return 2;
        }

        double seconds = 5;
        int rounds = 3;
        string? tubeTool = null;
        bool tubeOnly = false;
        int onlyLine = 0;
        for (int i = 1; i < args.Length; i += 2)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--tube-only":
                    tubeOnly = true;
                    i--;
                    break;
                case "--seconds" when double.TryParse(value, CultureInfo.InvariantCulture, out seconds) && seconds > 0:
                    break;
                case "--rounds" when int.TryParse(value, CultureInfo.InvariantCulture, out rounds) && rounds > 0:
                    break;
                case "--line" when int.TryParse(value, CultureInfo.InvariantCulture, out onlyLine) && onlyLine >= 1
                                   && onlyLine <= Lines.Length:
                    break;
                case "--tube" when File.Exists(value):
                    tubeTool = value;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"etcd: bad option '{args[i]}'; usage: etcd [--seconds N] [--rounds R] " +
                        $"[--tube PATH] [--tube-only] [--line L] (N > 0 seconds per line, R > 0 rounds, PATH an existing " +
                        $"tube.dll or tube executable, L the one line to run, 1 to {Lines.Length})");
                    return 2;
            }
        }

        string? etcd = EtcdProcesses.FindBinary();
        if (etcd is null)
        {
            await Console.Error.WriteLineAsync($"etcd: no etcd binary on PATH; {EtcdProcesses.InstallHint}");
            return 2;
        }

        // --tube-only runs neither Tube3 nor etcd, so it needs no tube tool.
        string[]? tubeCommand = tubeOnly ? [] : TubeToolCommand(tubeTool);
        if (tubeCommand is null)
        {
            await Console.Error.WriteLineAsync("etcd: no tube tool found for the Tube3 lines (Tube's etcd v3 endpoint); " +
                "build it (dotnet build tools/tube -c Release) or pass --tube PATH");
            return 2;
        }

        TimeSpan window = TimeSpan.FromSeconds(seconds);
        TimeSpan warmUp = TimeSpan.FromSeconds(Math.Clamp(seconds / 5, 0.5, 2));
        // Start-up of both clusters, then every line of every round with its warm-up and some slack for stopping.
        // The first line each system runs meets cold processes (the JIT compiles the hot paths during it): it warms up
        // longer, so that round 1 measures the same steady state as the others.
        TimeSpan coldWarmUp = TimeSpan.FromSeconds(Math.Max(5, warmUp.TotalSeconds));
        TimeSpan bound = TimeSpan.FromSeconds(120)
            + rounds * 3 * Lines.Length * (window + warmUp + SettleLimit + TimeSpan.FromSeconds(15))
            + 3 * coldWarmUp;
        using var run = new CancellationTokenSource(bound);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            run.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            run.Cancel();
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();

        string root = Path.Combine(Path.GetTempPath(), "tube-etcd-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        Console.WriteLine($"Tube vs etcd: 3 members each, separate processes on loopback, fsync on, data in {root}");
        Console.WriteLine($"  Tube: TLS 1.3 (fresh keys), one TubeClient; etcd {Version(etcd)}: plain HTTP, one " +
            "dotnet-etcd client on the leader");
        if (!tubeOnly)
        {
            Console.WriteLine($"  Tube3: {string.Join(' ', tubeCommand)} -etcd (TLS 1.3 between replicas), the same " +
                "dotnet-etcd client on the leader's endpoint (plain HTTP/2)");
        }
        Console.WriteLine($"  {KeyBytes} B keys, {ValueBytes} B values; {seconds:0.##} s per line after a " +
            $"{warmUp.TotalSeconds:0.##} s warm-up ({coldWarmUp.TotalSeconds:0.##} s for each system's first line); {rounds} round(s), the systems alternating line by line; bounded to " +
            $"{bound.TotalMinutes:0} min");
        Console.WriteLine($"load at start: {Load()}");
        bool failed = true;
        TubeProcesses? tube = null;
        EtcdProcesses? tube3 = null;
        EtcdProcesses? etc = null;
        try
        {
            tube = await TubeProcesses.StartAsync(Path.Combine(root, "tube"), run.Token);
            tube3 = tubeOnly ? null : await EtcdProcesses.StartTubeAsync(tubeCommand, Path.Combine(root, "tube3"), run.Token);
            etc = tubeOnly ? null : await EtcdProcesses.StartAsync(etcd, root, run.Token);
            var results = new Dictionary<(string Target, string Line), List<LineResult>>();
            IKvTarget[] targets = tube3 is null || etc is null ? [tube] : [tube, tube3, etc];
            var warmed = new HashSet<IKvTarget>();
            for (int round = 1; round <= rounds; round++)
            {
                // Line by line, each system right after the other: the systems' figures for one line are taken
                // seconds apart, so a machine that drifts over a round moves them together.
                foreach (var (name, callers) in onlyLine == 0 ? Lines : [Lines[onlyLine - 1]])
                {
                    foreach (IKvTarget target in targets)
                    {
                        TimeSpan lineWarmUp = warmed.Add(target) ? coldWarmUp : warmUp;
                        var (settled, quiet) = await QuietMachine.WaitAsync(SettleLimit, run.Token);
                        if (!quiet && settled > TimeSpan.Zero)
                        {
                            Console.WriteLine($"  (the machine was still busy after {settled.TotalSeconds:0} s; " +
                                "the next line starts anyway)");
                        }

                        TimeSpan replicasBefore = tubeOnly ? tube.ReplicaProcessorTime() : default;
                        TimeSpan clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
                        LineResult result = await RunLineAsync(target, name, callers, lineWarmUp, window, run.Token);
                        TimeSpan replicasUsed = tubeOnly ? tube.ReplicaProcessorTime() - replicasBefore : default;
                        TimeSpan clientUsed = Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
                        if (!results.TryGetValue((target.Name, name), out var list))
                        {
                            results[(target.Name, name)] = list = [];
                        }

                        list.Add(result);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  round {round} {target.Name,-5} {name,-16} {result.OpsPerSecond,9:N0} ops/s  " +
                            $"p50 {result.P50Ms,6:0.000} ms  p99 {result.P99Ms,7:0.000} ms  errors {result.Errors}")
                            + (result.FirstError is null ? "" : $" (first: {result.FirstError})"));
                        if (tubeOnly)
                        {
                            // Processor time per operation does not depend on what else runs on the machine nearly
                            // as much as a rate does. The warm-up's operations are estimated at the window's rate.
                            double ops = result.OpsPerSecond * (window + lineWarmUp).TotalSeconds;
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"    cpu per op: replicas {replicasUsed.TotalMicroseconds / ops,6:0.0} µs, client " +
                                $"{clientUsed.TotalMicroseconds / ops,6:0.0} µs"));
                            Console.WriteLine($"    lone writes answered first by: follower {tube.FollowerReplyCounts.Follower}, " +
                                $"leader {tube.FollowerReplyCounts.Leader} (since the start)");
                            foreach (string stage in await tube.ReadStageTimesAsync(run.Token))
                            {
                                Console.WriteLine($"    replica: {stage}");
                            }
                        }
                    }
                }
            }

            if (etc is not null)
            {
                PrintTable(results, rounds, seconds);
            }

            failed = false;
            return 0;
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"etcd: stopped (Ctrl-C, SIGTERM or the {bound.TotalMinutes:0} min bound); " +
                "child processes killed.");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
            if (tube is not null)
            {
                await tube.DisposeAsync();
            }

            if (tube3 is not null)
            {
                await tube3.DisposeAsync();
            }

            if (etc is not null)
            {
                await etc.DisposeAsync();
            }

            ChildProcesses.KillAll();
            if (failed)
            {
                await Console.Error.WriteLineAsync($"etcd: data and member logs kept in {root}");
            }
            else
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task<LineResult> RunLineAsync(IKvTarget target, string name, int callers, TimeSpan warmUp,
        TimeSpan window, CancellationToken cancellationToken)
    {
        byte[] value = new byte[ValueBytes];
        new Random(ValueBytes).NextBytes(value);
        char prefix = name[0];
        byte[][][] keys = [.. Enumerable.Range(0, callers).Select(c => Enumerable.Range(0, KeysPerCaller)
            .Select(k => Key($"{(prefix == 'g' ? 'p' : prefix)}{c:D2}-{k:D5}")).ToArray())];
        long[] next = new long[callers];
        switch (name[0])
        {
            case 'p':
            case 'g':
                return await LoadLine.RunAsync(target, callers, warmUp, window, async (caller, token) =>
                {
                    byte[] key = keys[caller][next[caller]++ % KeysPerCaller];
                    if (prefix == 'p')
                    {
                        await target.PutAsync(key, value, token);
                    }
                    else
                    {
                        await target.GetAsync(key, token);
                    }
                }, cancellationToken);
            default:
                // Each caller swaps its own key, conditioned on the version it last saw.
                long[] versions = new long[callers];
                for (int c = 0; c < callers; c++)
                {
                    await target.PutAsync(keys[c][0], value, cancellationToken);
                    versions[c] = await target.GetAsync(keys[c][0], cancellationToken);
                }

                return await LoadLine.RunAsync(target, callers, warmUp, window, async (caller, token) =>
                {
                    long version = await target.CompareAndSwapAsync(keys[caller][0], value, versions[caller], token);
                    if (version < 0)
                    {
                        versions[caller] = await target.GetAsync(keys[caller][0], token);
                        throw new InvalidOperationException("CAS mismatch on a key only this caller writes.");
                    }

                    versions[caller] = version;
                }, cancellationToken);
        }
    }

    /// <summary>A key of exactly <see cref="KeyBytes"/> ASCII bytes.</summary>
    private static byte[] Key(string text) => Encoding.ASCII.GetBytes(text.PadRight(KeyBytes, '.')[..KeyBytes]);

    private static void PrintTable(Dictionary<(string Target, string Line), List<LineResult>> results, int rounds,
        double seconds)
    {
        Console.WriteLine();
        Console.WriteLine($"Tube vs etcd, {rounds} round(s) of {seconds:0.##} s per line: median [min–max] over the rounds");
        Console.WriteLine($"{"line",-16} {"system",-6} {"ops/s",24} {"p50 ms",22} {"p99 ms",22} {"errors",7} " +
            $"{"fsyncs/batch",13} {"ops/leader fsync",17}");
        foreach (var (name, _) in Lines.Where(l => results.ContainsKey(("Tube", l.Name))))
        {
            foreach (string target in new[] { "Tube", EtcdProcesses.TubeEtcdName, "etcd" })
            {
                List<LineResult> list = results[(target, name)];
                string fsyncsPerBatch = Median(list.Select(r => r.FsyncsPerBatch ?? double.NaN)) is var f && !double.IsNaN(f)
                    ? f.ToString("0.00", CultureInfo.InvariantCulture)
                    : "-";
                // Reads fsync nothing of their own: their count is the cluster's idle writes, not worth a column.
                string opsPerFsync = !name.StartsWith("get", StringComparison.Ordinal) &&
                    Median(list.Select(r => r.OpsPerLeaderFsync ?? double.NaN)) is var o && !double.IsNaN(o)
                    ? o.ToString("0.0", CultureInfo.InvariantCulture)
                    : "-";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(target == "Tube" ? name : ""),-16} {target,-6} {Spread(list, r => r.OpsPerSecond, "N0"),24} " +
                    $"{Spread(list, r => r.P50Ms, "0.000"),22} {Spread(list, r => r.P99Ms, "0.000"),22} " +
                    $"{list.Sum(r => r.Errors),7} {fsyncsPerBatch,13} {opsPerFsync,17}"));
            }
        }

        PrintRatios(results, "Tube", $"ratios Tube/etcd (median ops/s; latency as etcd/Tube, so higher is better for " +
            $"Tube; target ≥ {Target:0.#}× on every line):");
        PrintRatios(results, EtcdProcesses.TubeEtcdName, $"ratios {EtcdProcesses.TubeEtcdName}/etcd, the same " +
            "dotnet-etcd client against Tube's etcd v3 endpoint and against etcd (same measures):");
        Console.WriteLine($"load at end: {Load()}");
    }

    private static void PrintRatios(Dictionary<(string Target, string Line), List<LineResult>> results, string system,
        string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        foreach (var (name, _) in Lines.Where(l => results.ContainsKey(("Tube", l.Name))))
        {
            double tube = Median(results[(system, name)].Select(r => r.OpsPerSecond));
            double etcd = Median(results[("etcd", name)].Select(r => r.OpsPerSecond));
            double p50 = Median(results[("etcd", name)].Select(r => r.P50Ms)) / Median(results[(system, name)].Select(r => r.P50Ms));
            double ratio = tube / etcd;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-16} {ratio,6:0.00}×  (p50 {p50:0.00}×)  {(ratio >= Target ? "meets" : "below")} the target"));
        }
    }

    /// <summary>The command that runs the tube tool: <paramref name="given"/> (a .dll runs under dotnet), else the
    /// tube.dll built under tools/tube of the repository this benchmark was built in (found by walking up from this
    /// executable), else <c>tube</c> on PATH; null when there is none.</summary>
    private static string[]? TubeToolCommand(string? given)
    {
        static string[] Run(string path) => path.EndsWith(".dll", StringComparison.Ordinal)
            ? [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet", path]
            : [path];

        if (given is not null)
        {
            return Run(Path.GetFullPath(given));
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string built = Path.Combine(dir.FullName, "tools", "tube", "bin", "Release");
            if (Directory.Exists(built) &&
                Directory.GetFiles(built, "tube.dll", SearchOption.AllDirectories).FirstOrDefault() is { } dll)
            {
                return Run(dll);
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "tube")).FirstOrDefault(File.Exists) is { } onPath ? [onPath] : null;
    }

    private static string Spread(List<LineResult> list, Func<LineResult, double> metric, string format)
    {
        double[] values = [.. list.Select(metric)];
        return string.Create(CultureInfo.InvariantCulture,
            $"{Median(values).ToString(format, CultureInfo.InvariantCulture)} [{values.Min().ToString(format, CultureInfo.InvariantCulture)}–" +
            $"{values.Max().ToString(format, CultureInfo.InvariantCulture)}]");
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The <c>uptime</c> line (load averages), or /proc/loadavg without it.</summary>
    private static string Load()
    {
        try
        {
            using Process uptime = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true, UseShellExecute = false })!;
            string text = uptime.StandardOutput.ReadToEnd().Trim();
            uptime.WaitForExit(2000);
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
        }
    }

    private static string Version(string etcd)
    {
        try
        {
            using Process version = Process.Start(new ProcessStartInfo(etcd, "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            string first = version.StandardOutput.ReadLine() ?? "";
            version.WaitForExit(5000);
            return first.Replace("etcd Version: ", "", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "(version unknown)";
        }
    }
}
