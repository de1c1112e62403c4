using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rpc25519.JSync;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Transport;

namespace Rpc25519.Tools.Jsrv;

/// <summary>jsrv's command line, callable in-process (tests) as well as from <c>Program</c>.</summary>
public static class JsrvCommand
{
    /// <summary>Runs jsrv until <paramref name="stop"/> fires. Exit codes: 0 stopped cleanly, 1 could not serve,
    /// 2 bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where status lines go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="onListening">Called with the bound address (<c>tcp://host:port</c>) once serving.</param>
    /// <param name="stop">Stops the server.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Action<string>? onListening, CancellationToken stop)
    {
        var root = new Option<string>("-root") { Description = "the directory to serve (required)", Required = true };
        var address = new Option<string>("-s")
        {
            Description = "address to bind, host:port (default loopback only; use 0.0.0.0:PORT to serve the network)",
            DefaultValueFactory = _ => "127.0.0.1:8444",
        };
        var readOnly = new Option<bool>("-readonly") { Description = "refuse pushes; clients may only pull" };
        var tls = new TlsFlags(server: true);
        var verbose = new Option<bool>("-v") { Description = "print each change of each sync" };
        var command = new RootCommand("jsrv: serves one directory to jcp (rsync-style delta sync over TLS)")
        {
            root, address, readOnly, verbose,
        };
        foreach (Option option in tls.All)
        {
            command.Options.Add(option);
        }
        ParseResult parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"jsrv: error: {error.Message}");
            }
            await stderr.WriteLineAsync("jsrv: usage: jsrv -root DIR [-s host:port] [-readonly] [-certs DIR] [-tcp]");
            return 2;
        }
        if (args.Contains("-h") || args.Contains("--help") || args.Contains("--version"))
        {
            return await parsed.InvokeAsync(cancellationToken: stop);
        }
        string rootDir = Path.GetFullPath(parsed.GetValue(root)!);
        bool isReadOnly = parsed.GetValue(readOnly);
        bool isVerbose = parsed.GetValue(verbose);
        using ILoggerFactory logging = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
        RpcOptions config = tls.Apply(parsed,
            new RpcOptions { ListenAddress = parsed.GetValue(address)!, LoggerFactory = logging });
        var output = TextWriter.Synchronized(stdout);
        try
        {
            await using var server = new RpcServer(config);
            JSyncService.Register(server.PeerApi, rootDir, isReadOnly, (result, error) =>
            {
                if (error is not null)
                {
                    output.WriteLine($"jsrv: a sync failed: {error.Message}");
                    return;
                }
                if (isVerbose)
                {
                    foreach (SyncChange change in result!.Changes)
                    {
                        output.WriteLine($"jsrv:   {change}");
                    }
                }
                output.WriteLine($"jsrv: sync done{(result!.DryRun ? " (dry run)" : "")}: {result.Changes.Count} " +
                    $"changes, {result.FilesTransferred} files rebuilt, {result.LiteralBytes} literal bytes, " +
                    $"{result.Errors.Count} file errors");
            });
            await server.StartAsync(stop);
            output.WriteLine($"jsrv: serving {rootDir} at {server.LocalAddress} " +
                $"({TlsFlags.Describe(config)}" +
                $"{(isReadOnly ? ", read-only" : "")})");
            onListening?.Invoke(server.LocalAddress);
            var stopped = new TaskCompletionSource();
            await using (stop.Register(() => stopped.TrySetResult()))
            {
                await stopped.Task;
            }
            output.WriteLine("jsrv: stopped");
            return 0;
        }
        catch (Exception e) when (e is RpcException or JSyncException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"jsrv: error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
    }
}
