using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Rpc25519;
using Rpc25519.Compression;
using Rpc25519.Streams;
using Rpc25519.Messages;
using Rpc25519.Security;
using Rpc25519.Transport.Quic;

// cli: the demo client. Calls "customEcho" -n times and prints the replies and latency quantiles; with -bench it
// runs -c concurrent callers for N seconds and prints calls/s and MB/s.
var address = new Option<string>("-s") { Description = "server host:port (:8443 added when no port)",
    DefaultValueFactory = _ => "127.0.0.1:8443" };
var tcp = new Option<bool>("-tcp") { Description = "plain TCP, no TLS (trusted networks only)" };
var quic = new Option<bool>("-q") { Description =
    "QUIC over UDP (TLS 1.3, Ed25519; needs apt-get install libngtcp2-9 libngtcp2-crypto-gnutls2)" };
var skipVerify = new Option<bool>("-skip-verify") { Description = "accept any valid Ed25519 server (SkipVerifyKeys)" };
var keyName = new Option<string>("-k") { Description = "client key pair name", DefaultValueFactory = _ => "client" };
var certs = new Option<string?>("-certs") { Description = "certificate directory (default: selfy's certs dir)" };
var psk = new Option<string?>("-psk") { Description = "pre-shared key file (from selfy -gensym)" };
var count = new Option<int>("-n") { Description = "number of echo calls", DefaultValueFactory = _ => 1 };
var wait = new Option<double>("-wait") { Description = "per-call timeout in seconds", DefaultValueFactory = _ => 10 };
var quiet = new Option<bool>("-quiet") { Description = "do not print replies" };
var bench = new Option<double>("-bench") { Description = "benchmark for N seconds: print calls/s and MB/s" };
var size = new Option<int>("-size") { Description = "benchmark request size in bytes", DefaultValueFactory = _ => 64 };
var press = new Option<string>("-press")
{
    Description = "compression: none, snappy (s2), lz4, zstd:01, zstd:03, zstd:07, zstd:11",
    DefaultValueFactory = _ => "snappy",
};
var upload = new Option<string?>("-upload")
{
    Description = "upload benchmark: stream this file (or, given a number, that many MiB of generated text) to the " +
        "server's \"upload\" function and print MB/s",
};
var concurrency = new Option<int>("-c") { Description = "benchmark concurrent callers", DefaultValueFactory = _ => 16 };
var root = new RootCommand("cli: Rpc25519 demo client")
{
    address, tcp, quic, skipVerify, keyName, certs, psk, count, wait, quiet, bench, size, concurrency, press, upload,
};
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || args.Contains("-h") || args.Contains("--help") || args.Contains("--version"))
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"cli: error: {error.Message}");
    }
    return parsed.Errors.Count > 0 ? 1 : parsed.Invoke();
}
string server = parsed.GetValue(address)!;
if (!server.Contains(':', StringComparison.Ordinal))
{
    server += ":8443";
}
using ILoggerFactory logging = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
var config = new RpcOptions
{
    ServerAddress = server,
    Transport = parsed.GetValue(tcp) ? TransportKind.Tcp : TransportKind.Tls,
    Tls =
    {
        SkipVerifyKeys = parsed.GetValue(skipVerify),
        ClientKeyPairName = parsed.GetValue(keyName)!,
        CertPath = parsed.GetValue(certs) ?? "",
        PassphraseProvider = Passphrase.ConsolePrompt,
    },
    PreSharedKey = { Path = parsed.GetValue(psk) ?? "" },
    DefaultCallTimeout = TimeSpan.FromSeconds(parsed.GetValue(wait)),
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
        Console.Error.WriteLine($"cli: error: {e.Message}");
        return 1;
    }
}
if (!CompressionNames.TryParse(parsed.GetValue(press), out CompressionAlgo algo))
{
    Console.Error.WriteLine($"cli: error: unknown -press '{parsed.GetValue(press)}'; use one of: " +
        string.Join(", ", CompressionNames.All));
    return 1;
}
config.Compression = algo;
try
{
    await using RpcClient client = await RpcClient.ConnectAsync(config);
    if (parsed.GetValue(upload) is { } what)
    {
        return await UploadAsync(client, what, parsed.GetValue(press)!);
    }
    double benchSeconds = parsed.GetValue(bench);
    return benchSeconds > 0
        ? await BenchAsync(client, benchSeconds, parsed.GetValue(size), parsed.GetValue(concurrency))
        : await EchoAsync(client, parsed.GetValue(count), parsed.GetValue(quiet));
}
catch (RpcException e)
{
    Console.Error.WriteLine($"cli: error: {e.Message}");
    return 1;
}

static async Task<int> EchoAsync(RpcClient client, int n, bool quiet)
{
    var latencies = new List<double>();
    Exception? last = null;
    for (int i = 0; i < n; i++)
    {
        string text = $"client says hello and requests this be echoed back with a timestamp! (call {i + 1})";
        var request = new Message { Payload = Encoding.UTF8.GetBytes(text) };
        request.Header.ServiceName = "customEcho";
        var started = Stopwatch.StartNew();
        try
        {
            Message reply = await client.CallAsync(request);
            latencies.Add(started.Elapsed.TotalMicroseconds);
            if (!quiet)
            {
                string echoed = Encoding.UTF8.GetString(reply.Payload);
                Console.WriteLine($"client sees reply (SequenceNumber={reply.Header.SequenceNumber}) = '{echoed}'");
            }
        }
        catch (RpcException e)
        {
            last = e;
            Console.Error.WriteLine($"cli: call {i + 1} failed: {e.Message}");
        }
    }
    latencies.Sort();
    Console.WriteLine($"cli: {latencies.Count} of {n} calls succeeded; last error: {last?.Message ?? "none"}");
    if (latencies.Count > 0)
    {
        Console.WriteLine($"cli: latency µs: q50 {Quantile(latencies, 0.5):F0}  q99 {Quantile(latencies, 0.99):F0}  " +
            $"q99.9 {Quantile(latencies, 0.999):F0}  slowest {latencies[^1]:F0}");
    }
    return last is null ? 0 : 1;
}

static async Task<int> BenchAsync(RpcClient client, double seconds, int size, int concurrency)
{
    byte[] payload = new byte[size];
    long calls = 0;
    long deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    var started = Stopwatch.StartNew();
    async Task Worker()
    {
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var request = new Message { Payload = payload };
            request.Header.ServiceName = "customEcho";
            await client.CallAsync(request);
            Interlocked.Increment(ref calls);
        }
    }
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker()));
    double elapsed = started.Elapsed.TotalSeconds;
    Console.WriteLine($"cli: {calls} calls of {size} B in {elapsed:F2} s with {concurrency} callers: " +
        $"{calls / elapsed:F0} calls/s, {calls * (double)size / elapsed / 1e6:F1} MB/s of requests");
    return 0;
}

static async Task<int> UploadAsync(RpcClient client, string what, string press)
{
    const int partBytes = 1024 * 1024;
    byte[] data;
    if (File.Exists(what))
    {
        data = await File.ReadAllBytesAsync(what);
    }
    else if (int.TryParse(what, out int mebibytes) && mebibytes > 0)
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < mebibytes * partBytes; i++)
        {
            text.Append("upload line ").Append(i).Append(": the quick brown fox jumps over the lazy dog\n");
        }
        data = Encoding.UTF8.GetBytes(text.ToString())[..(mebibytes * partBytes)];
    }
    else
    {
        Console.Error.WriteLine($"cli: error: -upload '{what}' is neither a file nor a number of MiB");
        return 1;
    }
    var started = Stopwatch.StartNew();
    await using Uploader uploader = await client.BeginUploadAsync("upload", new Message());
    for (int offset = 0; offset < data.Length; offset += partBytes)
    {
        await uploader.SendAsync(new Message { Payload = data[offset..Math.Min(data.Length, offset + partBytes)] });
    }
    Message reply = await uploader.CompleteAsync(new Message());
    double elapsed = started.Elapsed.TotalSeconds;
    if (reply.Header.Subject != data.Length.ToString())
    {
        Console.Error.WriteLine($"cli: upload failed: the server counted {reply.Header.Subject} bytes, not {data.Length}");
        return 1;
    }
    Console.WriteLine($"cli: uploaded {data.Length} bytes in {elapsed:F2} s with -press {press}: " +
        $"{data.Length / elapsed / 1e6:F1} MB/s");
    return 0;
}

static double Quantile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
