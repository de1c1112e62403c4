using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Rpc25519;
using Rpc25519.Messages;
using Rpc25519.Security;
using Rpc25519.TlsBench;
using Rpc25519.Transport;

// Side-by-side: our TLS (BouncyCastle TLS 1.3, Ed25519, ChaCha20-Poly1305) against SslStream with ECDSA P-256 and the
// same cipher suite, in the same run, on loopback.
long bulkBytes = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) << 20
    : 1L << 30;
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
using var baseline = new SslStreamBaseline();
Console.WriteLine($"Rpc25519 TLS bench: {Environment.ProcessorCount} cores, bulk {bulkBytes >> 20} MiB one way");

// The machine may be shared, so each measurement alternates ours and the baseline for several rounds: handshake
// times are pooled (median), throughputs take the best round of each.
int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
var oursHandshakes = new List<double>();
var sslHandshakes = new List<double>();
double tlsCalls = 0, tcpCalls = 0, native = 0, managed = 0, ssl = 0, tcp = 0;
for (int round = 0; round < rounds; round++)
{
    oursHandshakes.AddRange(await Bench.HandshakeOursAsync(Config(false), 20));
    sslHandshakes.AddRange(await Bench.HandshakeSslStreamAsync(baseline, 20));
    tlsCalls = Math.Max(tlsCalls, await Bench.EchoCallsAsync(Config(false)));
    tcpCalls = Math.Max(tcpCalls, await Bench.EchoCallsAsync(Config(true)));
    native = Math.Max(native, await Bench.BulkOursAsync(new TlsTransport(Config(false).Tls), bulkBytes));
    ssl = Math.Max(ssl, await Bench.BulkSslStreamAsync(baseline, bulkBytes));
    tcp = Math.Max(tcp, await Bench.BulkOursAsync(new TcpTransport(), bulkBytes));
    if (round == 0)
    {
        managed = await Bench.BulkOursAsync(new TlsTransport(Config(false).Tls, inner: null, environment: null, nativeAead: false), bulkBytes / 4);
    }
    Console.WriteLine($"  round {round + 1}/{rounds} done");
}
double ours = Bench.Median(oursHandshakes);
double theirs = Bench.Median(sslHandshakes);
Console.WriteLine($"handshake median   ours {ours:F2} ms   SslStream {theirs:F2} ms   " +
    $"ratio {ours / theirs:F2} (target <= 1.5)");
Console.WriteLine($"64 B calls/s       TLS {tlsCalls:F0}   TCP {tcpCalls:F0}   " +
    $"ratio {tlsCalls / tcpCalls:F2} (target >= 0.7)");
Console.WriteLine($"bulk MB/s          ours {native:F0}   SslStream {ssl:F0}   ratio {native / ssl:F2} " +
    "(target >= 0.8)   " +
    $"plain TCP {tcp:F0}   (BouncyCastle managed AEAD and record layer: {managed:F0})");
Directory.Delete(dir, recursive: true);

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

    public static async Task<double> EchoCallsAsync(RpcOptions config, int workers = 16, double seconds = 3)
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
        long start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Worker(TimeSpan.FromSeconds(seconds))));
        return calls / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

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
        return values[values.Count / 2];
    }
}
