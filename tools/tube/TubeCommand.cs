using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rpc25519.ConfigFiles;
using Rpc25519.Security;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tools.Tube;

/// <summary>tube's command line, callable in-process (tests) as well as from <c>Program</c>.</summary>
public static class TubeCommand
{
    private const string Usage = "tube: usage: tube -config FILE [-tcp] [-certs DIR] [-k NAME] [-skip-verify] [-log] [-add | -shadow] [-metrics [SECONDS]] [-v] [-etcd HOST:PORT]";

    /// <summary>Runs one replica until <paramref name="stop"/> fires. Exit codes: 0 stopped cleanly, 1 could not
    /// start or failed, 2 bad command line or config file.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where status lines go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="onStarted">Called with the running replica once it serves.</param>
    /// <param name="stop">Stops the replica.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Action<TubeReplica>? onStarted, CancellationToken stop)
    {
        var configPath = new Option<string>("-config")
        {
            Description = "the replica's config file, (tubeConfig …) s-expressions or JSON (required)", Required = true,
        };
        var tcp = new Option<bool>("-tcp") { Description = "plain TCP, no TLS (trusted networks and tests only)" };
        var certs = new Option<string?>("-certs") { Description = "certificate directory (default: the config's, else selfy's)" };
        var keyName = new Option<string?>("-k")
        {
            Description = "key pair name this node serves and dials with (default: the config's; e.g. selfy -k tube)",
        };
        var skipVerify = new Option<bool>("-skip-verify") { Description = "accept any valid Ed25519 peer" };
        var showLog = new Option<bool>("-log") { Description = "print this node's persisted state and log, then exit" };
        var verbose = new Option<bool>("-v") { Description = "log at debug level" };
        var add = new Option<bool>("-add") { Description = "after start, join the cluster through its leader as a voter" };
        var shadow = new Option<bool>("-shadow") { Description = "after start, join through the leader as a shadow (non-voter)" };
        Option<double> metrics = MetricsOption();
        var etcd = TubeEtcdOption.Create();
        Option<bool> zap = TubeZap.Create();
        var command = new RootCommand("tube: one Tube replica (Raft KV store) serving its peers and TubeClients")
        {
            configPath, tcp, certs, keyName, skipVerify, showLog, verbose, add, shadow, metrics, etcd, zap,
        };
        ParseResult parsed = command.Parse(args);
        if (args.Contains("-h") || args.Contains("--help") || args.Contains("--version"))
        {
            return await parsed.InvokeAsync(cancellationToken: stop);
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"tube: error: {error.Message}");
            }

            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        if ((parsed.GetValue(add) && parsed.GetValue(shadow)) || (parsed.GetValue(zap) && parsed.GetValue(showLog)))
        {
            await stderr.WriteLineAsync(parsed.GetValue(zap) && parsed.GetValue(showLog)
                ? "tube: error: -zap and -log cannot be combined (-log only reads the node's files)"
                : "tube: error: -add and -shadow cannot be combined; pick one");
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        string path = parsed.GetValue(configPath)!;
        TubeConfig config;
        try
        {
            config = TubeConfigFile.Load(path);
        }
        catch (ConfigFileException e)
        {
            await stderr.WriteLineAsync($"tube: {path}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"tube: cannot read {path}: {e.Message}");
            return 2;
        }

        if (TubeEtcdOption.Check(parsed.GetValue(etcd)) is { } badEtcd)
        {
            await stderr.WriteLineAsync(badEtcd);
            return 2;
        }

        if (parsed.GetValue(showLog))
        {
            return await TubeLogPrinter.PrintAsync(config, stdout, stderr, stop);
        }

        ApplyFlags(config.RpcCfg, parsed.GetValue(tcp), parsed.GetValue(certs), parsed.GetValue(keyName),
            parsed.GetValue(skipVerify));
        using ILoggerFactory logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(parsed.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information));
        config.RpcCfg.LoggerFactory = logging;
        ILogger logger = logging.CreateLogger("tube");
        var output = TextWriter.Synchronized(stdout);
        await using TubeMetricsPrinter? printer = parsed.GetResult(metrics) is null ? null
            : TubeMetricsPrinter.Start(output, TimeSpan.FromSeconds(parsed.GetValue(metrics)));
        TubeReplica replica;
        try
        {
            if (parsed.GetValue(zap))
            {
                string was = await TubeZap.ClearStoredAsync(config, stop);
                output.WriteLine($"tube: -zap: {config.MyName} forgot its {was}; it waits for a leader to send it one");
            }

            replica = await TubeConfigFile.StartReplicaAsync(config,
                parsed.GetValue(zap) ? TubeZap.StartEmpty : null, stop);
        }
        catch (StorageLockedException e)
        {
            await stderr.WriteLineAsync($"tube: another replica already runs on {config.ResolveDataDirectory()}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException or ArgumentException
                                      or StorageCorruptedException)
        {
            await stderr.WriteLineAsync($"tube: cannot start: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        await using (replica)
        {
            logger.LogInformation("tube: {Name} (node {NodeId}) of cluster {Cluster} serving at {Address} ({Transport}), data in {Dir}",
                config.MyName, replica.NodeId, config.ClusterID, replica.Address,
                config.RpcCfg.Transport == TransportKind.Tcp ? "plain TCP" : "TLS 1.3, Ed25519",
                config.ResolveDataDirectory());
            output.WriteLine($"tube: {config.MyName} serving at {replica.Address}");
            onStarted?.Invoke(replica);
            IAsyncDisposable? etcdEndpoint;
            try
            {
                etcdEndpoint = await TubeEtcdOption.StartAsync(parsed.GetValue(etcd), config, replica, logging, output, stop);
            }
            catch (IOException e)
            {
                await stderr.WriteLineAsync($"tube: -etcd: {e.Message}");
                return 1;
            }
            catch (Rpc25519.Tube.StateMachines.Errors.TubeException e)
            {
                // The endpoint asks the replica for its term before it listens.
                await stderr.WriteLineAsync($"tube: -etcd: the endpoint could not reach this replica: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped (SIGTERM, Ctrl-C) while the endpoint waited for the cluster's first status.
                output.WriteLine($"tube: {config.MyName} stopped");
                return 0;
            }

            await using var etcdRunning = etcdEndpoint;

            Task<bool> joined = parsed.GetValue(add) || parsed.GetValue(shadow)
                ? TubeJoin.JoinAsync(config, parsed.GetValue(shadow), output, stop)
                : Task.FromResult(true);
            var stopped = new TaskCompletionSource();
            await using (stop.Register(() => stopped.TrySetResult()))
            {
                Task first = await Task.WhenAny(stopped.Task, replica.Completion);
                if (first == replica.Completion && replica.Completion.IsFaulted)
                {
                    await stderr.WriteLineAsync($"tube: the replica failed: {replica.Completion.Exception!.InnerException!.Message}");
                    return 1;
                }
            }

            await joined;
        }

        output.WriteLine($"tube: {config.MyName} stopped");
        return 0;
    }

    /// <summary><c>-metrics [SECONDS]</c>: print Tube's metrics every SECONDS (default 5) while serving.</summary>
    private static Option<double> MetricsOption() => new("-metrics")
    {
        Description = "print Tube's metrics every SECONDS (default 5) while serving",
        HelpName = "SECONDS",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return TubeMetricsPrinter.DefaultInterval.TotalSeconds;
            }
            if (double.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= 86400)
            {
                return seconds;
            }
            result.AddError($"-metrics takes a number of seconds between 0 and 86400, not '{result.Tokens[0].Value}'");
            return 0;
        },
    };

    private static void ApplyFlags(RpcOptions rpc, bool tcp, string? certs, string? keyName, bool skipVerify)
    {
        if (tcp)
        {
            rpc.Transport = TransportKind.Tcp;
        }

        if (certs is not null)
        {
            rpc.Tls.CertPath = certs;
        }

        if (keyName is not null)
        {
            rpc.Tls.ServerKeyPairName = keyName;
            rpc.Tls.ClientKeyPairName = keyName;
        }

        if (skipVerify)
        {
            rpc.Tls.SkipVerifyKeys = true;
        }

        rpc.Tls.PassphraseProvider ??= Passphrase.ConsolePrompt;
    }
}
