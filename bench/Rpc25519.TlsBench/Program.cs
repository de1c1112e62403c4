using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Rpc25519;
using Rpc25519.Messages;
using Rpc25519.Security;
using Rpc25519.TlsBench;
using Rpc25519.Transport;

// Side-by-side: our TLS (BouncyCastle TLS 1.3 handshake, Ed25519, our ChaCha20-Poly1305 record layer) against plain
// TCP and against SslStream with ECDSA P-256 and the same cipher suite, in the same run, on loopback. Not a test:
// nothing here asserts.
//
// dotnet run -c Release --project bench/Rpc25519.TlsBench -- [BULK-MiB] [ROUNDS] [--seconds S] [--only WHAT]
//   BULK-MiB  one-way bulk transfer size (default 1024); ROUNDS (default 3); S seconds per call measurement
//   (default 2); WHAT = handshake, calls, records or bulk (default: all four). "records" times sealing and opening
//   one record, single-threaded, as our record layer does it and with .NET's ChaCha20-Poly1305 alone.
//   --profile tls|tcp: only one caller's 64 B calls over that transport for S seconds (to run under perf).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (typeof(Bench).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is
    [DebuggableAttribute { IsJITOptimizerDisabled: true }])
{
    Console.Error.WriteLine("Refusing to benchmark a Debug build: run with -c Release.");
    return 2;
}
var positional = new List<string>();
double seconds = 2;
string only = "";
string profile = "";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds" when i + 1 < args.Length: seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--only" when i + 1 < args.Length: only = args[++i]; break;
        case "--profile" when i + 1 < args.Length && args[i + 1] is "tls" or "tcp": profile = args[++i]; break;
        case var a when !a.StartsWith('-'): positional.Add(a); break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}; usage: [BULK-MiB] [ROUNDS] [--seconds S] " +
                "[--only handshake|calls|records|bulk] [--profile tls|tcp]");
            return 2;
    }
}
long bulkBytes = (positional.Count > 0 ? long.Parse(positional[0], CultureInfo.InvariantCulture) : 1024) << 20;
int rounds = positional.Count > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 3;
bool Runs(string what) => only.Length == 0 || only == what;

string dir = Path.Combine(Path.GetTempPath(), "rpc25519-tlsbench-" + Guid.NewGuid().ToString("N"));
string certs = Path.Combine(dir, "certs");
SelfCertificates.CreateCertificateAuthority(Path.Combine(dir, "private"), null);
SelfCertificates.CreateKeyPair("node", "bench@example.org", certs, Path.Combine(dir, "private"), null, _ => "");
SelfCertificates.CreateKeyPair("client", "bench@example.org", certs, Path.Combine(dir, "private"), null, _ => "");
RpcOptions Config(bool tcp) => new()
{
    ListenAddress = "127.0.0.1:0", Transport = tcp ? TransportKind.Tcp : TransportKind.Tls,
    Tls = { CertPath = certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
};
if (profile.Length > 0)
{
    // One transport, one caller, nothing else in the process: for perf record / perf stat.
    (double calls, double allocated, double cpu, double workItems) =
        await Bench.EchoCallsAsync(Config(profile == "tcp"), 1, seconds);
    Console.WriteLine($"{profile}, 1 caller: {calls:N0} calls/s, CPU {cpu:F1} µs/call (whole process), " +
        $"{workItems:F2} thread-pool work items/call, {allocated:N0} B allocated/call");
    Directory.Delete(dir, recursive: true);
    return 0;
}
using var baseline = new SslStreamBaseline();
Console.WriteLine($"Rpc25519 TLS bench: {Environment.ProcessorCount} cores, {rounds} interleaved rounds, " +
    $"{seconds:0.#} s per call measurement, bulk {bulkBytes >> 20} MiB one way; load average at start: " +
    Bench.LoadAverage());

// The machine may be shared, so every measurement is taken once per round, the rounds interleave all targets (in
// reverse order every other round), and the table shows the median and the range over rounds. Ratios are taken
// within a round (both sides seconds apart), then summarized the same way.
var results = new Results();
for (int round = 0; round < rounds; round++)
{
    bool reverse = round % 2 == 1;
    if (Runs("handshake"))
    {
        double ours = Bench.Median(await Bench.HandshakeOursAsync(Config(false), 20));
        double theirs = Bench.Median(await Bench.HandshakeSslStreamAsync(baseline, 20));
        results.Add("handshake ours", ours);
        results.Add("handshake SslStream", theirs);
        results.Add("handshake ratio", ours / theirs);
    }
    if (Runs("calls"))
    {
        foreach (int callers in reverse ? new[] { 64, 1 } : [1, 64])
        {
            double tls = 0, tcp = 0;
            foreach (bool overTcp in reverse ? new[] { true, false } : [false, true])
            {
                (double calls, double allocated, double cpu, double workItems) =
                    await Bench.EchoCallsAsync(Config(overTcp), callers, seconds);
                (overTcp ? ref tcp : ref tls) = calls;
                results.Add($"cpu {(overTcp ? "TCP" : "TLS")} {callers}", cpu);
                results.Add($"work items {(overTcp ? "TCP" : "TLS")} {callers}", workItems);
                if (callers == 1)
                {
                    results.Add($"allocated {(overTcp ? "TCP" : "TLS")}", allocated);
                }
            }
            results.Add($"calls TLS {callers}", tls);
            results.Add($"calls TCP {callers}", tcp);
            results.Add($"calls ratio {callers}", tls / tcp);
            if (callers == 1)
            {
                double ssl = await Bench.PingPongSslStreamAsync(baseline, seconds);
                results.Add("calls SslStream 1", ssl);
                results.Add("calls ratio SslStream", tls / ssl);
            }
        }
    }
    if (Runs("records"))
    {
        foreach (int size in new[] { 100, 16 * 1024 })
        {
            (double ours, double dotnet) = Bench.SealOpenNanos(size);
            results.Add($"record ours {size}", ours);
            results.Add($"record .NET {size}", dotnet);
        }
    }
    if (Runs("bulk"))
    {
        double native = await Bench.BulkOursAsync(new TlsTransport(Config(false).Tls), bulkBytes);
        double ssl = await Bench.BulkSslStreamAsync(baseline, bulkBytes);
        results.Add("bulk ours", native);
        results.Add("bulk SslStream", ssl);
        results.Add("bulk ratio", native / ssl);
        results.Add("bulk TCP", await Bench.BulkOursAsync(new TcpTransport(), bulkBytes));
        if (round == 0)
        {
            results.Add("bulk managed", await Bench.BulkOursAsync(new TlsTransport(Config(false).Tls, inner: null,
                environment: null, nativeAead: false), bulkBytes / 4));
        }
    }
    Console.WriteLine($"  round {round + 1}/{rounds} done; load average {Bench.LoadAverage()}");
}
Console.WriteLine("median (min-max over rounds)");
if (Runs("handshake"))
{
    Console.WriteLine($"handshake, median of 20, ms     ours {results.Milliseconds("handshake ours")}   SslStream " +
        $"{results.Milliseconds("handshake SslStream")}   ours/SslStream {results.Ratio("handshake ratio", 1.5, atMost: true)}");
}
if (Runs("calls"))
{
    foreach (int callers in new[] { 1, 64 })
    {
        Console.WriteLine($"64 B calls/s, {callers,2} caller{(callers == 1 ? " " : "s")}       TLS " +
            $"{results[$"calls TLS {callers}"]}   TCP {results[$"calls TCP {callers}"]}   TLS/TCP " +
            results.Ratio($"calls ratio {callers}", 0.85, atMost: false));
    }
    foreach (int callers in new[] { 1, 64 })
    {
        Console.WriteLine($"CPU time per 64 B call, {callers,2} caller{(callers == 1 ? " " : "s")} (whole process), " +
            $"µs   TLS {results.Micros($"cpu TLS {callers}")}   TCP {results.Micros($"cpu TCP {callers}")}");
    }
    foreach (int callers in new[] { 1, 64 })
    {
        Console.WriteLine($"thread-pool work items per 64 B call, {callers,2} caller{(callers == 1 ? " " : "s")} " +
            $"(whole process)   TLS {results.Fraction($"work items TLS {callers}")}   TCP " +
            results.Fraction($"work items TCP {callers}"));
    }
    Console.WriteLine($"allocated per 64 B call, 1 caller (client + server, whole process), bytes   TLS " +
        $"{results["allocated TLS"]}   TCP {results["allocated TCP"]}");
    Console.WriteLine($"64 B, 1 caller, vs SslStream     ours over TLS {results["calls TLS 1"]}   SslStream " +
        $"ping-pong {results["calls SslStream 1"]}   ours/SslStream {results.Ratio("calls ratio SslStream")}");
}
if (Runs("records"))
{
    foreach (int size in new[] { 100, 16 * 1024 })
    {
        Console.WriteLine($"seal + open one {size} B record, ns, single thread   ours {results[$"record ours {size}"]}   " +
            $".NET ChaCha20Poly1305 alone {results[$"record .NET {size}"]}");
    }
}
if (Runs("bulk"))
{
    Console.WriteLine($"bulk MB/s                        ours {results["bulk ours"]}   SslStream " +
        $"{results["bulk SslStream"]}   ours/SslStream {results.Ratio("bulk ratio", 0.8, atMost: false)}   " +
        $"plain TCP {results["bulk TCP"]}   (BouncyCastle managed AEAD and record layer: {results["bulk managed"]})");
}
Console.WriteLine($"load average at the end: {Bench.LoadAverage()}");
Directory.Delete(dir, recursive: true);
return 0;

/// <summary>Values per measurement, one per round.</summary>
internal sealed class Results
{
    private readonly Dictionary<string, List<double>> _values = [];

    public void Add(string name, double value)
    {
        if (!_values.TryGetValue(name, out List<double>? list))
        {
            _values[name] = list = [];
        }
        list.Add(value);
    }

    /// <summary>"median (min-max)" of a throughput.</summary>
    public string this[string name] => Summary(name, "N0");

    /// <summary>"median (min-max)" of a time in microseconds.</summary>
    public string Micros(string name) => Summary(name, "F1");

    /// <summary>"median (min-max)" of a time in milliseconds.</summary>
    public string Milliseconds(string name) => Summary(name, "F2");

    /// <summary>"median (min-max)" of a small count per call.</summary>
    public string Fraction(string name) => Summary(name, "F2");

    /// <summary>"median (min-max)" of a ratio, with the target and whether the median meets it.</summary>
    public string Ratio(string name, double target, bool atMost) =>
        $"{Summary(name, "F2")} target {(atMost ? "<=" : ">=")} {target:F2}: " +
        ((atMost ? Median(name) <= target : Median(name) >= target) ? "met" : "MISSED");

    /// <summary>"median (min-max)" of a ratio without a target.</summary>
    public string Ratio(string name) => Summary(name, "F2");

    private double Median(string name) => Bench.Median([.. _values[name]]);

    private string Summary(string name, string format)
    {
        List<double> values = _values[name];
        return values.Count == 1
            ? values[0].ToString(format, CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Median(name).ToString(format, CultureInfo.InvariantCulture)} " +
                $"({values.Min().ToString(format, CultureInfo.InvariantCulture)}-" +
                $"{values.Max().ToString(format, CultureInfo.InvariantCulture)})");
    }
}

internal static class Bench
{
    /// <summary>Connections made before timing starts (JIT, caches).</summary>
    private const int Warmup = 10;

    public static async Task<List<double>> HandshakeOursAsync(RpcOptions config, int count)
    {
        var transport = new TlsTransport(config.Tls);
        await using IConnectionListener listener = await transport.ListenAsync("127.0.0.1:0");
        string address = listener.LocalAddress["tcp://".Length..];
        return await TimeConnectionsAsync(count, async () => (await listener.AcceptAsync())!,
            () => transport.DialAsync(address).AsTask());
    }

    public static async Task<List<double>> HandshakeSslStreamAsync(SslStreamBaseline baseline, int count)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        return await TimeConnectionsAsync(count, async () =>
        {
            Socket s = await listener.AcceptAsync();
            s.NoDelay = true;
            return await baseline.AcceptAsync(s);
        }, () => baseline.ConnectAsync(endPoint));
    }

    /// <summary>Times <paramref name="count"/> sequential dials (after <see cref="Warmup"/> untimed ones) while
    /// another task accepts; returns the times in milliseconds.</summary>
    private static async Task<List<double>> TimeConnectionsAsync<T>(int count, Func<Task<T>> accept, Func<Task<T>> dial)
        where T : IAsyncDisposable
    {
        var accepted = Task.Run(async () =>
        {
            var list = new List<T>();
            for (int i = 0; i < count + Warmup; i++)
            {
                list.Add(await accept());
            }
            return list;
        });
        var times = new List<double>();
        var clients = new List<T>();
        for (int i = 0; i < count + Warmup; i++)
        {
            long start = Stopwatch.GetTimestamp();
            clients.Add(await dial());
            if (i >= Warmup)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        foreach (T connection in clients.Concat(await accepted))
        {
            await connection.DisposeAsync();
        }
        return times;
    }

    /// <summary>Calls/s of 64 B echo calls by <paramref name="workers"/> callers sharing one connection, after a
    /// 0.5 s warm-up, and the bytes the whole process allocated, the CPU time (µs) it used and the thread-pool work
    /// items it ran per call meanwhile: on a shared machine the CPU time per call is steadier than the rate, and the
    /// work items (thread hops) do not depend on the load at all.</summary>
    public static async Task<(double Calls, double Allocated, double CpuMicros, double WorkItems)> EchoCallsAsync(RpcOptions config, int workers,
        double seconds)
    {
        await using var server = new RpcServer(config);
        server.RegisterCall("echo", (request, _) =>
        {
            var reply = new Message();
            reply.Payload = request.Payload;
            return ValueTask.FromResult(reply);
        });
        await server.StartAsync();
        RpcOptions clientConfig = config.Clone();
        clientConfig.ServerAddress = server.LocalAddress["tcp://".Length..];
        await using RpcClient client = await RpcClient.ConnectAsync(clientConfig);
        byte[] payload = new byte[64];
        long calls = 0;
        async Task Worker(TimeSpan duration)
        {
            long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                var request = new Message { Payload = payload };
                request.Header.ServiceName = "echo";
                await client.CallAsync(request);
                Interlocked.Increment(ref calls);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Worker(TimeSpan.FromSeconds(0.5))));
        Interlocked.Exchange(ref calls, 0);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long workItemsBefore = ThreadPool.CompletedWorkItemCount;
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Worker(TimeSpan.FromSeconds(seconds))));
        double rate = calls / Stopwatch.GetElapsedTime(start).TotalSeconds;
        double perCall = Math.Max(calls, 1);
        return (rate, (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / perCall,
            (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / perCall,
            (ThreadPool.CompletedWorkItemCount - workItemsBefore) / perCall);
    }

    /// <summary>Round trips/s of one caller echoing 64 B over SslStream (write 64, read 64 back), after a 0.5 s
    /// warm-up: what a TLS connection without any RPC framing gives one caller.</summary>
    public static async Task<double> PingPongSslStreamAsync(SslStreamBaseline baseline, double seconds)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var acceptTask = Task.Run(async () =>
        {
            Socket socket = await listener.AcceptAsync();
            socket.NoDelay = true;
            return await baseline.AcceptAsync(socket);
        });
        await using SslStream client = await baseline.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        await using SslStream server = await acceptTask;
        Task echo = Task.Run(async () =>
        {
            byte[] buffer = new byte[64];
            while (await server.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length)
            {
                await server.WriteAsync(buffer);
            }
        });
        byte[] message = new byte[64];
        byte[] reply = new byte[64];
        async Task<long> RunAsync(double duration)
        {
            long count = 0;
            long end = Stopwatch.GetTimestamp() + (long)(duration * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                await client.WriteAsync(message);
                await client.ReadExactlyAsync(reply);
                count++;
            }
            return count;
        }
        await RunAsync(0.5);
        long start = Stopwatch.GetTimestamp();
        long calls = await RunAsync(seconds);
        double rate = calls / Stopwatch.GetElapsedTime(start).TotalSeconds;
        client.Close();
        try
        {
            await echo;
        }
        catch (IOException)
        {
            // The echo side saw the close as a reset; the measurement is done.
        }
        return rate;
    }

    /// <summary>Nanoseconds to seal and open one record of <paramref name="plainBytes"/> with our record layer, and
    /// with .NET's <see cref="System.Security.Cryptography.ChaCha20Poly1305"/> alone (what the layer used for every
    /// record before), best of five batches.</summary>
    public static (double Ours, double DotNet) SealOpenNanos(int plainBytes)
    {
        byte[] key = new byte[32], iv = new byte[12];
        using var sender = new TlsRecordLayer((byte[])key.Clone(), iv, 0, (byte[])key.Clone(), iv, 0);
        using var receiver = new TlsRecordLayer((byte[])key.Clone(), iv, 0, (byte[])key.Clone(), iv, 0);
        using var dotnet = new System.Security.Cryptography.ChaCha20Poly1305(key);
        byte[] record = new byte[plainBytes + TlsRecordLayer.OverheadBytes];
        byte[] plain = new byte[record.Length];
        byte[] tag = new byte[16];
        int inner = plainBytes + 1;
        int count = plainBytes > 1024 ? 2_000 : 50_000;
        double ours = double.MaxValue, theirs = double.MaxValue;
        for (int batch = 0; batch < 5; batch++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                receiver.Open(record.AsSpan(0, sender.SealInPlace(record, plainBytes)), plain);
            }
            ours = Math.Min(ours, Stopwatch.GetElapsedTime(start).TotalNanoseconds / count);
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                dotnet.Encrypt(iv, record.AsSpan(5, inner), record.AsSpan(5, inner), tag, record.AsSpan(0, 5));
                dotnet.Decrypt(iv, record.AsSpan(5, inner), tag, plain.AsSpan(0, inner), record.AsSpan(0, 5));
            }
            theirs = Math.Min(theirs, Stopwatch.GetElapsedTime(start).TotalNanoseconds / count);
        }
        return (ours, theirs);
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg")
        ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
        : "n/a";

    public static async Task<double> BulkOursAsync(ITransport transport, long total)
    {
        await using IConnectionListener listener = await transport.ListenAsync("127.0.0.1:0");
        var acceptTask = listener.AcceptAsync().AsTask();
        await using IConnection client = await transport.DialAsync(listener.LocalAddress["tcp://".Length..]);
        await using IConnection server = (await acceptTask)!;
        long start = Stopwatch.GetTimestamp();
        Task reader = Task.Run(async () =>
        {
            long received = 0;
            PipeReader input = server.Transport.Input;
            while (received < total)
            {
                ReadResult r = await input.ReadAsync();
                received += r.Buffer.Length;
                input.AdvanceTo(r.Buffer.End);
                if (r.IsCompleted)
                {
                    break;
                }
            }
        });
        PipeWriter output = client.Transport.Output;
        for (long sent = 0; sent < total; sent += 64 * 1024)
        {
            output.GetSpan(64 * 1024);
            output.Advance(64 * 1024);
            await output.FlushAsync();
        }
        await reader;
        return total / 1e6 / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static async Task<double> BulkSslStreamAsync(SslStreamBaseline baseline, long total)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var acceptTask = Task.Run(async () => await baseline.AcceptAsync(await listener.AcceptAsync()));
        await using SslStream client = await baseline.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        await using SslStream server = await acceptTask;
        byte[] chunk = new byte[64 * 1024];
        long start = Stopwatch.GetTimestamp();
        Task reader = Task.Run(async () =>
        {
            byte[] buffer = new byte[64 * 1024];
            long received = 0;
            while (received < total)
            {
                int n = await server.ReadAsync(buffer);
                if (n == 0)
                {
                    break;
                }
                received += n;
            }
        });
        for (long sent = 0; sent < total; sent += chunk.Length)
        {
            await client.WriteAsync(chunk);
        }
        await reader;
        return total / 1e6 / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
