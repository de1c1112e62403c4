using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Transport;
using Rpc25519.Security;
using Rpc25519.Transport;

namespace Rpc25519.JSync.Bench;

/// <summary>
/// jsync against rsync on the same seeded tree in the same run (issue 15's benchmark). Both push over loopback
/// (127.0.0.1 only): jsync with <see cref="JSyncClient"/> to a <see cref="JSyncService"/> on an in-process TLS server
/// (a new TLS connection per sync, as jcp makes), rsync as a client of an rsync daemon started here on a free port with a
/// temp rsyncd.conf (no sshd, no encryption: the same baseline as ../shared/bench/rsync/bench.sh). cases: full copy into
/// an empty directory, no-change re-sync, delta after the mutation, then one directory of binaries renamed on top of
/// the mutated tree (all with delete on both). Every run is checked against
/// the source's digest (paths, sizes, modes, mtimes, SHA-256); any difference stops the benchmark.
/// </summary>
internal static partial class CompareRsync
{
    private static readonly string[] AllCases = ["full", "nochange", "delta", "rename"];
    private static readonly string[] Targets = ["time <= 1.2x", "time <= 1.0x", "time <= 1.0x, bytes <= 1.2x", "bytes < 0.1x"];



    public static async Task<int> RunAsync(string[] args)
    {
        double sizeMiB = double.Parse(Option(args, "--size") ?? "64", CultureInfo.InvariantCulture);
        int seed = int.Parse(Option(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        string? givenBase = Option(args, "--base");
        string? givenMutated = Option(args, "--mutated");
        bool keep = args.Contains("--keep");
        // The directory the rename case moves (binaries by default: what rsync resends in full).
        string renameDir = (Option(args, "--rename-dir") ?? "data/k0").Trim('/');
        // --cases full,delta runs a subset (in this order; delta and rename start from the destination the earlier
        // cases left, so without full they start from an empty one).
        string[] cases = (Option(args, "--cases") ?? string.Join(',', AllCases)).Split(',');
        if (cases.Any(c => !AllCases.Contains(c)))
        {
            Console.Error.WriteLine($"--cases takes a comma-separated subset of {string.Join(',', AllCases)}");
            return 2;
        }
        // Durability: "both" (each timed run ends with its copy on disk: jsync's own syncfs, rsync followed by
        // `sync -f`), "neither" (jsync with SyncOptions.Durable off, like rsync's default), "jsync" (each tool's
        // default: jsync waits for the disk and rsync does not).
        string durable = Option(args, "--durable") ?? "both";
        // Where the two destinations live (default: the work directory); /dev/shm takes the disk out of the figures.
        string? destParent = Option(args, "--dest");
        bool dropCaches = args.Contains("--drop-caches");
        if (rounds is < 1 or > 100 || sizeMiB is <= 0 or > 100_000 || (givenBase is null) != (givenMutated is null) ||
            durable is not ("both" or "neither" or "jsync"))
        {
            Console.Error.WriteLine("usage: compare-rsync [--size MiB] [--seed N] [--rounds N] [--cases full,nochange,delta,rename] " +
                "[--durable both|neither|jsync] [--dest DIR] [--drop-caches] [--base DIR --mutated DIR] [--rename-dir REL] [--keep]");
            return 2;
        }
        if (dropCaches && !File.Exists(DropCachesPath))
        {
            Console.Error.WriteLine($"--drop-caches needs {DropCachesPath} (Linux)");
            return 2;
        }
        string rsync = FindOnPath("rsync") ?? "";
        if (rsync.Length == 0)
        {
            Console.Error.WriteLine("rsync is not installed (apt-get install -y rsync); the comparison needs it.");
            return 1;
        }

        string work = Directory.CreateTempSubdirectory("jsync-vs-rsync-").FullName;
        string destinations = destParent is null ? work
            : Directory.CreateDirectory(Path.Join(destParent, Path.GetFileName(work))).FullName;
        Process? daemon = null;
        try
        {
            Console.WriteLine($"jsync vs rsync: {Environment.ProcessorCount} cores visible; load at start: {Uptime()}");
            Console.WriteLine($"  {FirstLine(Run(rsync, "--version").Output)}; work directory {work}");
            string @base = givenBase ?? Path.Join(work, "base");
            string mutated = givenMutated ?? Path.Join(work, "mutated");
            var timer = Stopwatch.StartNew();
            if (givenBase is null)
            {
                BenchTree.Generate(@base, sizeMiB, seed);
                BenchTree.Mutate(@base, mutated, seed);
            }
            string renamed = Path.Join(work, "renamed");
            BenchTree.RenamedCopy(mutated, renamed, renameDir, renameDir + "-moved");
            SortedDictionary<string, string> baseDigest = BenchTree.Digest(@base);
            SortedDictionary<string, string> mutatedDigest = BenchTree.Digest(mutated);
            SortedDictionary<string, string> renamedDigest = BenchTree.Digest(renamed);
            long renamedBytes = renamedDigest.Where(e => e.Value != "dir" && e.Key.StartsWith(renameDir + "-moved/", StringComparison.Ordinal))
                .Sum(e => long.Parse(e.Value.Split(' ')[0], CultureInfo.InvariantCulture));
            // The checker's own check: it must see the mutation and the rename as differences.
            if (BenchTree.Differences(baseDigest, mutatedDigest).Count == 0 ||
                BenchTree.Differences(mutatedDigest, renamedDigest).Count == 0)
            {
                Console.Error.WriteLine("the tree digests do not tell the mutated trees apart: the correctness check is broken");
                return 1;
            }
            if (renamedBytes == 0)
            {
                Console.Error.WriteLine($"the tree has no {renameDir} to rename (use --rename-dir with --base)");
                return 2;
            }
            int baseFiles = baseDigest.Values.Count(v => v != "dir");
            Console.WriteLine($"  tree: {baseFiles:N0} files, {BenchTree.Bytes(@base) / 1e6:F1} MB " +
                $"({(givenBase is null ? $"seeded, --size {sizeMiB} --seed {seed}" : givenBase)}); mutation: " +
                $"{BenchTree.Differences(baseDigest, mutatedDigest).Count} paths differ; made and hashed in " +
                $"{timer.Elapsed.TotalSeconds:F1} s; rename case moves {renameDir} ({renamedBytes / 1e6:F1} MB)");

            // jsync: an in-process TLS server on 127.0.0.1 serving its own root.
            string certs = MakeCerts(Path.Join(work, "keys"));
            string jsyncRoot = Path.Join(destinations, "jsync-root");
            Directory.CreateDirectory(jsyncRoot);
            var wire = new CountingTransport();
            await using var server = new RpcServer(Config(certs, listen: "127.0.0.1:0", wire));
            Exception? serverError = null;
            JSyncService.Register(server.PeerApi, jsyncRoot, readOnly: false,
                (_, error) => serverError ??= error);
            await server.StartAsync();
            string jsyncAddress = server.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal);

            // rsync: a daemon on 127.0.0.1 and a free port, one writable module.
            string rsyncRoot = Path.Join(destinations, "rsync-root");
            Directory.CreateDirectory(rsyncRoot);
            int port = FreePort();
            string conf = Path.Join(work, "rsyncd.conf");
            bool root = Environment.UserName == "root";
            await File.WriteAllTextAsync(conf,
                $"pid file = {Path.Join(work, "rsyncd.pid")}\nuse chroot = no\n{(root ? "uid = 0\ngid = 0\n" : "")}" +
                $"[dst]\n  path = {rsyncRoot}\n  read only = no\n");
            daemon = Process.Start(new ProcessStartInfo(rsync,
                ["--daemon", "--no-detach", $"--config={conf}", "--address=127.0.0.1", $"--port={port}"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            string url = $"rsync://127.0.0.1:{port}/dst/data/";
            await WaitForDaemon(rsync, port);

            Console.WriteLine($"  destinations under {destinations} ({FileSystemOf(destinations)}); durability: {DurableText(durable)}; " +
                $"before each run: sync{(dropCaches ? " and drop the page cache (cold reads)" : " (warm page cache)")}");
            var results = new Dictionary<(string Tool, string Case), List<(double Seconds, long Bytes)>>();
            for (int round = 0; round < rounds; round++)
            {
                // Interleaved: each round runs both tools on all cases, the order alternating between rounds.
                string[] order = round % 2 == 0 ? ["jsync", "rsync"] : ["rsync", "jsync"];
                foreach (string tool in order)
                {
                    string dest = Path.Join(tool == "jsync" ? jsyncRoot : rsyncRoot, "data");
                    foreach (string @case in cases)
                    {
                        if (@case == "full" && Directory.Exists(dest))
                        {
                            Directory.Delete(dest, recursive: true);
                        }
                        (string source, SortedDictionary<string, string> expected) = @case switch
                        {
                            "delta" => (mutated, mutatedDigest),
                            "rename" => (renamed, renamedDigest),
                            _ => (@base, baseDigest),
                        };
                        // Settle: no run pays for the write-back of the ones before it (or of the deletion above).
                        Settle(dropCaches);
                        (double seconds, long bytes) = tool == "jsync"
                            ? await RunJsync(source, certs, jsyncAddress, wire, durable != "neither", durable == "both" ? dest : null)
                            : RunRsync(rsync, source, url, durable == "both" ? dest : null);
                        if (serverError is not null)
                        {
                            throw new InvalidOperationException($"jsync's server failed: {serverError.Message}", serverError);
                        }
                        List<string> diffs = BenchTree.Differences(expected, BenchTree.Digest(dest));
                        if (diffs.Count > 0)
                        {
                            Console.Error.WriteLine($"WRONG RESULT: {tool} {@case} (round {round + 1}) left a destination " +
                                $"that differs from the source in {diffs.Count} paths:");
                            foreach (string diff in diffs.Take(10))
                            {
                                Console.Error.WriteLine($"  {diff}");
                            }
                            return 1;
                        }
                        if (!results.TryGetValue((tool, @case), out var list))
                        {
                            results[(tool, @case)] = list = [];
                        }
                        list.Add((seconds, bytes));
                        Console.WriteLine($"  round {round + 1} {tool,-5} {@case,-8} {seconds,8:F3} s {bytes,14:N0} B  checked");
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"median of {rounds} round(s); bytes: jsync = all socket bytes both ways (TLS handshake and " +
                "records, frames, messages), rsync = --stats sent + received (plain TCP, no encryption)");
            Console.WriteLine($"{"case",-9} {"jsync s",9} {"rsync s",9} {"time x",7} {"jsync B",14} {"rsync B",14} {"bytes x",8}  target");
            for (int i = 0; i < cases.Length; i++)
            {
                (double js, long jb) = Median(results[("jsync", cases[i])]);
                (double rs, long rb) = Median(results[("rsync", cases[i])]);
                Console.WriteLine($"{cases[i],-9} {js,9:F3} {rs,9:F3} {js / rs,6:F2}x {jb,14:N0} {rb,14:N0} " +
                    $"{(double)jb / Math.Max(1, rb),7:F2}x  {Targets[Array.IndexOf(AllCases, cases[i])]}");
            }
            Console.WriteLine($"all {rounds * 2 * cases.Length} runs matched the source. Load at end: {Uptime()}");
            Console.WriteLine("Numbers are results only on an otherwise idle machine: compare the load figures above.");
            return 0;
        }
        finally
        {
            if (daemon is not null)
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill();
                }
                await daemon.WaitForExitAsync();
                daemon.Dispose();
            }
            if (keep)
            {
                Console.WriteLine($"kept {work}{(destinations != work ? $" and {destinations}" : "")}");
            }
            else
            {
                Directory.Delete(work, recursive: true);
                if (destinations != work)
                {
                    Directory.Delete(destinations, recursive: true);
                }
            }
        }
    }

    /// <summary>One jcp-like push on a new TLS connection. Bytes: everything both sockets carried for it (TLS
    /// handshake and records, frames, messages; see <see cref="CountingTransport"/>), read after the connection
    /// closed.</summary>
    private static async Task<(double Seconds, long Bytes)> RunJsync(string source, string certs, string address,
        CountingTransport wire, bool durable, string? syncAfter)
    {
        long before = wire.Bytes;
        var timer = Stopwatch.StartNew();
        RpcOptions config = Config(certs, listen: null, wire);
        config.ServerAddress = address;
        RemoteSyncResult result;
        await using (RpcClient client = await RpcClient.ConnectAsync(config))
        {
            result = await JSyncClient.RunAsync(client, SyncRole.Giver, source, "data",
                new SyncOptions { Delete = true, Durable = durable });
        }
        SyncFileSystem(syncAfter);
        double seconds = timer.Elapsed.TotalSeconds;
        if (result.Result.Errors.Count > 0)
        {
            throw new InvalidOperationException($"jsync reported errors: {string.Join("; ", result.Result.Errors.Take(5))}");
        }
        // The server may still be writing its last records (circuit close, TLS close) as the client goes.
        await Task.Delay(50);
        long bytes = wire.Bytes - before;
        if (bytes < result.WireBytes)
        {
            throw new InvalidOperationException($"counted {bytes} socket bytes, fewer than the {result.WireBytes} message bytes");
        }
        return (seconds, bytes);
    }

    /// <summary>rsync -a without owner/group (jsync does not carry them) and with --delete, as in bench.sh.</summary>
    private static (double Seconds, long Bytes) RunRsync(string rsync, string source, string url, string? syncAfter)
    {
        var timer = Stopwatch.StartNew();
        (int code, string output) = Run(rsync, "-rlpt", "--delete", "--stats", "--no-human-readable",
            source.TrimEnd('/') + "/", url);
        SyncFileSystem(syncAfter);
        double seconds = timer.Elapsed.TotalSeconds;
        if (code != 0)
        {
            throw new InvalidOperationException($"rsync exited with {code}:\n{output}");
        }
        long sent = long.Parse(SentPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        long received = long.Parse(ReceivedPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return (seconds, sent + received);
    }

    private const string DropCachesPath = "/proc/sys/vm/drop_caches";

    private static string DurableText(string durable) => durable switch
    {
        "both" => "both (each run ends with its copy on disk: jsync's own syncfs, rsync then `sync -f`; each also " +
            "timed with a final `sync -f`)",
        "neither" => "neither (jsync with SyncOptions.Durable off, rsync's default: nothing waits for the disk)",
        _ => "each tool's default (jsync waits for the disk, rsync does not)",
    };

    /// <summary>Flushes every file system's dirty pages (so the next timed run starts with no write-back pending)
    /// and, with <paramref name="dropCaches"/>, the page cache too (root only; reads are then cold).</summary>
    private static void Settle(bool dropCaches)
    {
        (int code, string output) = Run("sync");
        if (code != 0)
        {
            throw new InvalidOperationException($"sync failed: {output}");
        }
        if (dropCaches)
        {
            File.WriteAllText(DropCachesPath, "1"); // 1 = the page cache; dentries and inodes stay
        }
    }

    /// <summary>`sync -f DIR`: syncfs on the file system holding a destination, inside the timed run.</summary>
    private static void SyncFileSystem(string? directory)
    {
        if (directory is null)
        {
            return;
        }
        (int code, string output) = Run("sync", "-f", directory);
        if (code != 0)
        {
            throw new InvalidOperationException($"sync -f {directory} failed: {output}");
        }
    }

    private static string FileSystemOf(string path)
    {
        (int code, string output) = Run("stat", "-f", "-c", "%T", path);
        return code == 0 ? output.Trim() : "unknown file system";
    }

    [GeneratedRegex(@"Total bytes sent: (\d+)")]
    private static partial Regex SentPattern();

    [GeneratedRegex(@"Total bytes received: (\d+)")]
    private static partial Regex ReceivedPattern();

    private static RpcOptions Config(string certs, string? listen, CountingTransport wire)
    {
        var options = new RpcOptions
        {
            ListenAddress = listen ?? "127.0.0.1:0",
            Transport = TransportKind.Tls,
            Tls = { CertPath = certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        options.CustomTransport = new TlsTransport(options.Tls, wire);
        return options;
    }

    private static string MakeCerts(string dir)
    {
        string certs = Path.Join(dir, "certs");
        string privateDir = Path.Join(dir, "private");
        SelfCertificates.CreateCertificateAuthority(privateDir, passphrase: null);
        SelfCertificates.CreateKeyPair("node", "node@example.org", certs, privateDir, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "client@example.org", certs, privateDir, null, _ => "");
        return certs;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForDaemon(string rsync, int port)
    {
        for (int i = 0; i < 100; i++)
        {
            if (Run(rsync, $"rsync://127.0.0.1:{port}/").Code == 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"the rsync daemon did not answer on 127.0.0.1:{port} within 10 s");
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static string Uptime()
    {
        try
        {
            return Run("uptime").Output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Join(dir, name)).FirstOrDefault(File.Exists);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static (double Seconds, long Bytes) Median(List<(double Seconds, long Bytes)> runs)
    {
        double[] seconds = runs.Select(r => r.Seconds).Order().ToArray();
        long[] bytes = runs.Select(r => r.Bytes).Order().ToArray();
        return (seconds[seconds.Length / 2], bytes[bytes.Length / 2]);
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
