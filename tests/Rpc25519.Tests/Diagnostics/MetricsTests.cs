using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rpc25519.Diagnostics;
using Rpc25519.Messages;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Diagnostics;

/// <summary>The instruments of the <c>Rpc25519</c> meter report what happened (issue 17, item 2). Measurements are
/// filtered to this test's own server and client by their service names and by counting only while the test runs;
/// other tests run in parallel in the same process.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Calls_bytes_connections_and_outcomes_are_reported_with_their_tags()
    {
        var seen = new ConcurrentQueue<Measurement>();
        using MeterListener listener = MeterCapture.Listen(seen, RpcDiagnostics.MeterName);
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("metrics-echo", (request, _) => ValueTask.FromResult(request));
            s.RegisterCall("metrics-fail", (_, _) => throw new InvalidOperationException("no"));
        });
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            await client.CallAsync(Loopback.Request("metrics-echo", "hello"));
            await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync(Loopback.Request("metrics-fail")));
            await Assert.ThrowsAsync<CallRejectedException>(() => client.CallAsync(Loopback.Request("metrics-none")));
        }

        Measurement[] all = [.. seen];
        Measurement Client(string service) => all.Single(m => m.Instrument == "rpc.client.duration"
            && (string?)m.Tags["rpc.service"] == service);
        Assert.Equal("ok", Client("metrics-echo").Tags["rpc25519.outcome"]);
        Assert.Equal("remote_error", Client("metrics-fail").Tags["rpc25519.outcome"]);
        Assert.Equal("rejected", Client("metrics-none").Tags["rpc25519.outcome"]);
        Assert.Equal("rpc25519", Client("metrics-echo").Tags["rpc.system"]);
        Assert.InRange(Client("metrics-echo").Value, 0, 10);
        Measurement handler = all.Single(m => m.Instrument == "rpc.server.duration"
            && (string?)m.Tags["rpc.service"] == "metrics-fail");
        Assert.Equal("error", handler.Tags["rpc25519.outcome"]);
        double Completed(string service, string side, string outcome) => all
            .Where(m => m.Instrument == "rpc25519.calls.completed" && m.Tag("rpc.service") == service
                && m.Tag("rpc25519.side") == side && m.Tag("rpc25519.outcome") == outcome)
            .Sum(m => m.Value);
        Assert.Equal(1, Completed("metrics-echo", "client", "ok"));
        Assert.Equal(1, Completed("metrics-echo", "server", "ok"));
        Assert.Equal(1, Completed("metrics-fail", "client", "remote_error"));
        Assert.Equal(1, Completed("metrics-fail", "server", "error"));
        Assert.Equal(1, Completed("metrics-none", "client", "rejected"));
        Assert.Equal(0, all.Where(m => m.Instrument == "rpc25519.calls.started" && m.Tag("rpc.service") == "metrics-none"
            && m.Tag("rpc25519.side") == "server").Sum(m => m.Value)); // no handler ran
        Assert.Contains(all, m => m.Instrument == "rpc25519.bytes.sent" && (string?)m.Tags["rpc25519.side"] == "client");
        Assert.Contains(all, m => m.Instrument == "rpc25519.bytes.received" && (string?)m.Tags["rpc25519.side"] == "server");
        Assert.Contains(all, m => m.Instrument == "rpc25519.frames.received" && (string?)m.Tags["rpc25519.compression"] == "none");
    }

    [Fact]
    public async Task Compressed_and_uncompressed_frames_are_counted_by_name_and_the_connection_stays_up()
    {
        // A listener attached to a compressing connection once made the reader fail on the first frame its sender
        // chose not to compress (header byte 7), closing the connection: counting must never cost a call.
        var seen = new ConcurrentQueue<Measurement>();
        using MeterListener listener = MeterCapture.Listen(seen, RpcDiagnostics.MeterName);
        var (server, port) = await Loopback.StartServerAsync(s =>
            s.RegisterCall("metrics-press", (request, _) => ValueTask.FromResult(request)));
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port,
            c => c.Compression = Rpc25519.Compression.CompressionAlgo.Snappy))
        {
            await client.CallAsync(Loopback.Request("metrics-press", "tiny"));
            await client.CallAsync(Loopback.Request("metrics-press", new string('a', 64 * 1024)));
            await client.CallAsync(Loopback.Request("metrics-press", "tiny again"));
        }

        foreach (string direction in new[] { "received", "sent" })
        {
            string?[] tags = [.. seen.Where(m => m.Instrument == "rpc25519.frames." + direction)
                .Select(m => (string?)m.Tags["rpc25519.compression"])];
            Assert.Contains("uncompressed", tags);
            Assert.Contains("snappy", tags);
        }
    }

    [Fact]
    public async Task Typed_calls_are_split_into_service_and_method()
    {
        var seen = new ConcurrentQueue<Measurement>();
        using MeterListener listener = MeterCapture.Listen(seen, RpcDiagnostics.MeterName);
        var (server, client, _) = await Typed.TypedCallTests.StartAsync();
        await using (server)
        await using (client)
        {
            await client.CallAsync<Typed.Args, int>("Arith.Multiply", new Typed.Args(2, 3));
        }

        Assert.Contains(seen, m => m.Instrument == "rpc.client.duration" && (string?)m.Tags["rpc.service"] == "Arith"
            && (string?)m.Tags["rpc.method"] == "Multiply" && (string?)m.Tags["rpc25519.outcome"] == "ok");
    }
}
