using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Rpc25519;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Security;
using Rpc25519.Transport.Quic;

// srv: the demo server. Registers the two-way function "customEcho", which returns the request with the server's
// time appended; prints calls per second at the end (Ctrl-C, or after -sec seconds).
var address = new Option<string>("-s") { Description = "address to bind", DefaultValueFactory = _ => "0.0.0.0:8443" };
var tcp = new Option<bool>("-tcp") { Description = "plain TCP, no TLS (trusted networks only)" };
var quic = new Option<bool>("-q") { Description =
    "QUIC over UDP (TLS 1.3, Ed25519; needs apt-get install libngtcp2-9 libngtcp2-crypto-gnutls2)" };
var skipVerify = new Option<bool>("-skip-verify") { Description = "accept any valid Ed25519 client (SkipVerifyKeys)" };
var keyName = new Option<string>("-k") { Description = "server key pair name", DefaultValueFactory = _ => "node" };
var certs = new Option<string?>("-certs") { Description = "certificate directory (default: selfy's certs dir)" };
var psk = new Option<string?>("-psk") { Description = "pre-shared key file (from selfy -gensym)" };
var seconds = new Option<int>("-sec") { Description =
    "stop after N seconds and print calls/second (0: run until Ctrl-C)" };
var quiet = new Option<bool>("-quiet") { Description = "do not log each call" };
var verbose = new Option<bool>("-v") { Description = "log the library's diagnostics" };
var press = new Option<string>("-press")
{
    Description = "compression until a client has sent: none, snappy (s2), lz4, zstd:01, zstd:03, zstd:07, zstd:11 " +
        "(each client is then answered in the compression it uses)",
    DefaultValueFactory = _ => "snappy",
};
var root = new RootCommand("srv: Rpc25519 demo server")
{
    address, tcp, quic, skipVerify, keyName, certs, psk, seconds, quiet, verbose, press,
};
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || args.Contains("-h") || args.Contains("--help") || args.Contains("--version"))
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"srv: error: {error.Message}");
    }
    return parsed.Errors.Count > 0 ? 1 : parsed.Invoke();
}
using ILoggerFactory logging = LoggerFactory.Create(b => b.AddConsole()
    .SetMinimumLevel(parsed.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning));
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
    PreSharedKey = { Path = parsed.GetValue(psk) ?? "" },
    LoggerFactory = logging,
};
if (parsed.GetValue(quic))
{
    try
    {
        config.UseQuic();
    }
    catch (Exception e) when (e is RpcException or ArgumentException)
    {
        Console.Error.WriteLine($"srv: error: {e.Message}");
        return 1;
    }
}
if (!CompressionNames.TryParse(parsed.GetValue(press), out CompressionAlgo algo))
{
    Console.Error.WriteLine($"srv: error: unknown -press '{parsed.GetValue(press)}'; use one of: " +
        string.Join(", ", CompressionNames.All));
    return 1;
}
config.Compression = algo;
bool logCalls = !parsed.GetValue(quiet);
long calls = 0;
try
{
    await using var server = new RpcServer(config);
    server.RegisterCall("customEcho", (request, _) =>
    {
        var reply = new Message();
        long n = Interlocked.Increment(ref calls);
        if (logCalls)
        {
            Console.WriteLine(
                $"server customEcho called, SequenceNumber={request.Header.SequenceNumber}, msg='{Preview(request.Payload)}' (call {n})");
        }
        string stamp =
            $"\n with time customEcho sees this: '{DateTimeOffset.Now.ToString("o", CultureInfo.InvariantCulture)}'";
        reply.Payload = [.. request.Payload, .. Encoding.UTF8.GetBytes(stamp)];
        return ValueTask.FromResult(reply);
    });
    // "upload": the target of cli -upload; counts the bytes and reports them in the final reply.
    server.RegisterUpload("upload", async (parts, ct) =>
    {
        var reply = new Message();
        long bytes = 0;
        await foreach (Message part in parts.WithCancellation(ct))
        {
            bytes += part.Payload.Length;
        }
        reply.Header.Subject = bytes.ToString(CultureInfo.InvariantCulture);
        if (logCalls)
        {
            Console.WriteLine($"server upload received {bytes} bytes");
        }
        return reply;
    });
    await server.StartAsync();
    Console.WriteLine($"rpc25519.server Start() returned serverAddr = '{server.LocalAddress}' " +
        $"({(config.CustomTransport is QuicTransport ? "QUIC, TLS 1.3, Ed25519" : config.Transport == TransportKind.Tcp ? "plain TCP" : "TLS 1.3, Ed25519")}" +
        $"{(config.PreSharedKey.IsEnabled ? " + pre-shared key" : "")})");
    var started = Stopwatch.StartNew();
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    int limit = parsed.GetValue(seconds);
    try
    {
        await Task.Delay(limit > 0 ? TimeSpan.FromSeconds(limit) : Timeout.InfiniteTimeSpan, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
    double elapsed = started.Elapsed.TotalSeconds;
    Console.WriteLine($"srv: ran {elapsed:F1} s; calls seen: {calls}" +
        (calls > 0 ? $"; {calls / elapsed:F0} calls/second" : ""));
    return 0;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"srv: error: {e.Message}");
    return 1;
}

static string Preview(byte[] bytes) =>
    bytes.Length <= 64 ? Encoding.UTF8.GetString(bytes) : Encoding.UTF8.GetString(bytes, 0, 64) + "...";
