using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Rpc25519.JSync;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Transport;

namespace Rpc25519.Tools.Jcp;

/// <summary>jcp's command line, callable in-process (tests) as well as from <c>Program</c>.</summary>
public static partial class JcpCommand
{
    /// <summary>Runs one push or pull. Exit codes: 0 success, 1 the sync failed (or some files did), 2 bad command
    /// line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where changes, progress and statistics go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="cancellationToken">Stops the sync (Ctrl-C); it resumes on the next run.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var source = new Argument<string>("SRC") { Description = "local path, or host:port:/path on a jsrv server" };
        var dest = new Argument<string>("DEST") { Description = "local path, or host:port:/path on a jsrv server" };
        var recursive = new Option<bool>("-r", "--recursive") { Description = "sync directories (trees)" };
        var delete = new Option<bool>("--delete") { Description = "delete what DEST has and SRC does not" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "report what would change; write nothing" };
        var checksum = new Option<bool>("--checksum", "-c")
        {
            Description = "compare contents by BLAKE3, not by size and mtime",
        };
        var exclude = new Option<string[]>("--exclude")
        {
            Description = "glob of paths to leave alone on both sides (repeatable)",
            DefaultValueFactory = _ => [],
        };
        var verbose = new Option<bool>("-v", "--verbose") { Description = "print each change" };
        var stats = new Option<bool>("--stats")
        {
            Description = "print files, bytes sent and received, and speed-up (tree bytes / wire bytes)",
        };
        var progress = new Option<bool>("--progress", "-P")
        {
            Description = "show files and bytes done, rate and time left while syncing (a progress bar on a " +
                "terminal, one plain line a second otherwise)",
        };
        var noFsync = new Option<bool>("--no-fsync")
        {
            Description = "do not wait for the receiving disk (like rsync's default): files are still verified and " +
                "renamed into place whole, but a power loss right after the sync may lose the newest ones",
        };
        var tls = new TlsFlags(server: false);
        var command = new RootCommand("jcp: rsync-style delta copy to or from a jsrv server. Exactly one of SRC and " +
            "DEST is host:port:/path (a path under the server's root). SRC's contents become DEST.")
        {
            source, dest, recursive, delete, dryRun, checksum, exclude, verbose, stats, progress, noFsync,
        };
        foreach (Option option in tls.All)
        {
            command.Options.Add(option);
        }
        ParseResult parsed = command.Parse(args);
        if (args.Contains("-h") || args.Contains("--help") || args.Contains("--version"))
        {
            return await parsed.InvokeAsync(cancellationToken: cancellationToken);
        }
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"jcp: error: {error.Message}");
            }
            return Usage(stderr);
        }
        string src = parsed.GetValue(source)!;
        string dst = parsed.GetValue(dest)!;
        Remote? srcRemote = Remote.Parse(src);
        Remote? dstRemote = Remote.Parse(dst);
        if ((srcRemote is null) == (dstRemote is null))
        {
            await stderr.WriteLineAsync(
                "jcp: error: exactly one of SRC and DEST must be remote (host:port:/path), the other a local path");
            return Usage(stderr);
        }
        bool push = dstRemote is not null;
        Remote remote = (push ? dstRemote : srcRemote)!;
        string local = Path.GetFullPath(push ? src : dst);
        if (push)
        {
            if (!Path.Exists(local))
            {
                await stderr.WriteLineAsync($"jcp: error: SRC '{local}' does not exist");
                return 1;
            }
            if (Directory.Exists(local) && !parsed.GetValue(recursive))
            {
                await stderr.WriteLineAsync($"jcp: error: SRC '{local}' is a directory; pass -r to sync a tree");
                return 2;
            }
        }
        var options = new SyncOptions
        {
            Recursive = parsed.GetValue(recursive),
            Delete = parsed.GetValue(delete),
            DryRun = parsed.GetValue(dryRun),
            Checksum = parsed.GetValue(checksum),
            Excludes = parsed.GetValue(exclude) ?? [],
            Durable = !parsed.GetValue(noFsync),
        };
        try
        {
            _ = new ExcludeFilter(options.Excludes);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"jcp: error: {e.Message}");
            return 2;
        }
        using ILoggerFactory logging = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Error));
        RpcOptions config = tls.Apply(parsed,
            new RpcOptions { ServerAddress = remote.Address, LoggerFactory = logging });
        var started = Stopwatch.StartNew();
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ProgressDisplay? display = parsed.GetValue(progress) ? new ProgressDisplay() : null;
        Task progressTask = display?.RunAsync(stdout, ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected,
            started, progressStop.Token) ?? Task.CompletedTask;
        try
        {
            await using RpcClient client = await RpcClient.ConnectAsync(config, cancellationToken);
            RemoteSyncResult run = await JSyncClient.RunAsync(client, push ? SyncRole.Giver : SyncRole.Taker, local,
                remote.Path, options, progress: null, cancellationToken, display);
            await progressStop.CancelAsync();
            await progressTask;
            SyncResult result = run.Result;
            if (parsed.GetValue(verbose) || options.DryRun)
            {
                foreach (SyncChange change in result.Changes)
                {
                    // The root's own entry has the empty path; show it as ".".
                    string line = change.Path.Length == 0 ? change + "." : change.ToString();
                    await stdout.WriteLineAsync((options.DryRun ? "would " : "") + line);
                }
            }
            if (parsed.GetValue(stats))
            {
                double seconds = started.Elapsed.TotalSeconds;
                await stdout.WriteLineAsync($"Number of files: {result.EntriesScanned} entries in the source tree");
                await stdout.WriteLineAsync($"Number of files transferred: {result.FilesTransferred}");
                await stdout.WriteLineAsync($"Total file size: {result.TreeBytes} bytes");
                await stdout.WriteLineAsync($"Literal data: {result.LiteralBytes} bytes; matched data: " +
                    $"{result.CopiedBytes} bytes; zero runs: {result.ZeroBytes} bytes");
                await stdout.WriteLineAsync($"Total bytes sent: {run.BytesSent}");
                await stdout.WriteLineAsync($"Total bytes received: {run.BytesReceived}");
                await stdout.WriteLineAsync($"sent {run.BytesSent} bytes  received {run.BytesReceived} bytes  " +
                    $"{run.WireBytes / Math.Max(seconds, 1e-6):F0} bytes/sec");
                await stdout.WriteLineAsync($"total size is {result.TreeBytes}  speedup is {run.SpeedUp:F2}" +
                    $"{(result.DryRun ? " (DRY RUN)" : "")}  ({seconds:F2} s)");
            }
            foreach (string error in result.Errors)
            {
                await stderr.WriteLineAsync($"jcp: error: {error}");
            }
            return result.Errors.Count == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is RpcException or JSyncException or IOException or UnauthorizedAccessException)
        {
            await progressStop.CancelAsync();
            await progressTask;
            await stderr.WriteLineAsync($"jcp: error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await progressStop.CancelAsync();
            await progressTask;
            await stderr.WriteLineAsync("jcp: stopped; run the same command again to resume");
            return 1;
        }
    }

    private static int Usage(TextWriter stderr)
    {
        stderr.WriteLine("jcp: usage: jcp [-r] [--delete] [--dry-run] [--checksum] [--exclude PATTERN]... [-v] " +
            "[--stats] [--progress] [--no-fsync] SRC DEST   (one side host:port:/path; see jcp --help)");
        return 2;
    }

    /// <summary>A <c>host:port:/path</c> operand.</summary>
    private sealed record Remote(string Address, string Path)
    {
        public static Remote? Parse(string operand)
        {
            Match m = RemotePattern().Match(operand);
            return m.Success
                ? new Remote(m.Groups["host"].Value + ":" + m.Groups["port"].Value,
                    m.Groups["path"].Value.TrimStart('/'))
                : null;
        }
    }

    [GeneratedRegex(@"^(?<host>[^:/\\]+):(?<port>\d{1,5}):(?<path>.*)$")]
    private static partial Regex RemotePattern();
}
