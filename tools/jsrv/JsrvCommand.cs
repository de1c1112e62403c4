using System.CommandLine;
using Microsoft.Extensions.Logging;
using Rpc25519.JSync;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Transport;
using Rpc25519.Security;

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
        var certs = new Option<string?>("-certs") { Description = "certificate directory (default: selfy's certs dir)" };
        var keyName = new Option<string>("-k") { Description = "server key pair name", DefaultValueFactory = _ => "node" };
        var tcp = new Option<bool>("-tcp") { Description = "plain TCP, no TLS (trusted networks and tests only)" };
        var skipVerify = new Option<bool>("-skip-verify") { Description = "accept any valid Ed25519 client" };
        var known = new Option<string?>("-known")
        {
            Description = "known client keys file (default: known_client_keys in the working directory; \"none\" " +
                "to keep no list)",
        };
        var verbose = new Option<bool>("-v") { Description = "print each change of each sync" };
        var command = new RootCommand("jsrv: serves one directory to jcp (rsync-style delta sync over TLS)")
        {
            root, address, readOnly, certs, keyName, tcp, skipVerify, known, verbose,
        };
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
        if (args.Contains("-h") || args.Contains("--help"))
        {
            return await parsed.InvokeAsync(cancellationToken: stop);
        }
        string rootDir = Path.GetFullPath(parsed.GetValue(root)!);
        bool isReadOnly = parsed.GetValue(readOnly);
        bool isVerbose = parsed.GetValue(verbose);
        using ILoggerFactory logging = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
        var config = new RpcOptions
        {
            ListenAddress = parsed.GetValue(address)!,
            Transport = parsed.GetValue(tcp) ? TransportKind.Tcp : TransportKind.Tls,
            Tls =
            {
                SkipVerifyKeys = parsed.GetValue(skipVerify),
                ServerKeyPairName = parsed.GetValue(keyName)!,
                CertPath = parsed.GetValue(certs) ?? "",
                PassphraseProvider = Passphrase.ConsolePrompt,
            },
            LoggerFactory = logging,
        };
        if (parsed.GetValue(known) is { } knownPath)
        {
            config.Tls.KnownClientKeysPath = knownPath == "none" ? "" : knownPath;
        }
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
                $"({(config.Transport == TransportKind.Tcp ? "plain TCP" : "TLS 1.3, Ed25519")}" +
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
