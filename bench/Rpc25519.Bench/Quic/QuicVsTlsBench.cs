using System.Diagnostics;
using Rpc25519.Bench.Targets;
using Rpc25519.Security;
using Rpc25519.Transport.Quic;

namespace Rpc25519.Bench.Quic;

/// <summary>
/// QUIC against TLS/TCP in one run (<c>--only quic</c>): 64-byte calls with 1 and 64 callers, 64 KiB echo MB/s, a
/// 256 MiB upload's MB/s, and the time of a fresh connect (handshake). Targets from issue 16: QUIC at least half of TLS/TCP on calls/s and bulk,
/// handshake at most 1.5 times TLS/TCP's. Prints numbers and ratios; asserts nothing.
/// </summary>
internal static class QuicVsTlsBench
{
    public static async Task RunAsync(TimeSpan duration, long uploadBytes = 256L * 1024 * 1024)
    {
        string certs = Directory.CreateTempSubdirectory("rpc25519-quic-bench-").FullName;
        try
        {
            TransportEchoTarget[] targets = Targets(certs);
            Console.WriteLine($"QUIC vs TLS/TCP: {Environment.ProcessorCount} cores, {duration.TotalSeconds} s per " +
                "measurement, loopback, one process");
            var rows = new List<(string Name, double Calls1, double Calls64, double MegabytesPerSecond, double HandshakeMs, double BulkP50, double UploadMegabytesPerSecond)>();
            foreach (TransportEchoTarget target in targets)
            {
                await target.StartAsync();
                Result one = await Scenarios.OneCallerAsync(target, 64, duration);
                Result many = await Scenarios.ConcurrentCallersAsync(target, 64, 64, duration);
                Result bulk = await Scenarios.OneCallerAsync(target, 64 * 1024, duration);
                double handshake = await HandshakeMillisecondsAsync(target, connects: 20);
                double upload = await target.UploadMegabytesPerSecondAsync(uploadBytes);
                rows.Add((target.Name, one.CallsPerSecond, many.CallsPerSecond,
                    bulk.CallsPerSecond * 64 * 1024 * 2 / 1e6, handshake, bulk.P50Micros, upload));
                await target.DisposeAsync();
            }
            Console.WriteLine($"{"",-10} {"64B x1 calls/s",16} {"64B x64 calls/s",16} {"64KiB echo MB/s",16} " +
                $"{"connect ms",11} {"64KiB p50 us",13} {"upload MB/s",12}");
            foreach (var row in rows)
            {
                Console.WriteLine($"{row.Name,-10} {row.Calls1,16:N0} {row.Calls64,16:N0} {row.MegabytesPerSecond,16:N1} " +
                    $"{row.HandshakeMs,11:N2} {row.BulkP50,13:N0} {row.UploadMegabytesPerSecond,12:N1}");
            }
            var (tls, quic) = (rows[0], rows[1]);
            Console.WriteLine($"QUIC/TLS ratio: x1 {quic.Calls1 / tls.Calls1:N2} (target >= 0.5), x64 " +
                $"{quic.Calls64 / tls.Calls64:N2} (>= 0.5), bulk {quic.MegabytesPerSecond / tls.MegabytesPerSecond:N2} " +
                $"(>= 0.5), upload {quic.UploadMegabytesPerSecond / tls.UploadMegabytesPerSecond:N2} (>= 0.5), connect " +
                $"{quic.HandshakeMs / tls.HandshakeMs:N2} (<= 1.5)");
            Console.WriteLine($"upload: {uploadBytes / (1024 * 1024)} MiB in 1 MiB parts over a fresh client");
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    /// <summary>A CA and the node and client key pairs in <paramref name="certs"/>, and the two targets over them:
    /// TLS/TCP, then QUIC (each client on its own UDP port). Fresh options per client, as a new program would.</summary>
    internal static TransportEchoTarget[] Targets(string certs)
    {
        string privateDir = Path.Combine(certs, "private");
        SelfCertificates.CreateCertificateAuthority(privateDir, passphrase: null);
        SelfCertificates.CreateKeyPair("node", "node@example.org", certs, privateDir, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "client@example.org", certs, privateDir, null, _ => "");
        RpcOptions Tls() => new()
        {
            Tls = { CertPath = certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
        };
        return
        [
            new TransportEchoTarget("TLS/TCP", Tls),
            new TransportEchoTarget("QUIC", () => Tls().UseQuic(new QuicOptions { NoSharePort = true })),
        ];
    }

    /// <summary>Mean time of connect (handshake included) then one 64-byte call, over fresh clients.</summary>
    private static async Task<double> HandshakeMillisecondsAsync(IEchoTarget target, int connects)
    {
        byte[] payload = new byte[64];
        await (await target.ConnectAsync()).DisposeAsync(); // warm-up
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < connects; i++)
        {
            await using IEchoClient client = await target.ConnectAsync();
            await client.EchoAsync(payload);
        }
        return watch.Elapsed.TotalMilliseconds / connects;
    }
}
