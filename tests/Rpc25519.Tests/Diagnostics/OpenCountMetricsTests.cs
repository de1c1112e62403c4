using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rpc25519.Diagnostics;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Tests.Integration;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Diagnostics;

/// <summary><c>rpc25519.circuits.open</c> and <c>rpc25519.connections.open</c> count what is open in the process,
/// however late a listener comes, and <c>rpc25519.calls.active</c> never goes below zero; these run with the tests that
/// nothing runs beside, because other tests open both (and another test's listener would count their calls).</summary>
[Collection(GlobalListenersCollection.Name)]
public sealed class OpenCountMetricsTests
{
    [Fact]
    public async Task Open_connections_are_reported_by_side_while_open_and_no_longer_once_closed()
    {
        (long server, long client) before = (Observe("rpc25519.connections.open", "server"),
            Observe("rpc25519.connections.open", "client"));
        var (rpcServer, port) = await Integration.Loopback.StartServerAsync(_ => { });
        await using (rpcServer)
        {
            await using (RpcClient rpcClient = await Integration.Loopback.ConnectAsync(port))
            {
                await Eventually(() => Observe("rpc25519.connections.open", "server") == before.server + 1,
                    "the server's end of the connection to be counted");
                Assert.Equal(before.client + 1, Observe("rpc25519.connections.open", "client"));
            }
            await Eventually(() => Observe("rpc25519.connections.open", "server") == before.server,
                "the server's end to be counted as closed");
            Assert.Equal(before.client, Observe("rpc25519.connections.open", "client"));
        }
    }

    [Fact]
    public async Task Open_circuits_are_reported_while_open_and_no_longer_once_closed()
    {
        long before = OpenCircuits();
        await using (var h = await StartAsync())
        {
            LocalPeer local = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
            RemotePeer remote = await h.Server.PeerApi.StartRemotePeerAsync(Echo, h.Client.LocalAddress);
            Circuit circuit = await local.OpenCircuitAsync("talk", remote.PeerUrl, Frag("hello"));
            await ReadAsync(circuit.Reads);

            // One circuit has an end in each peer; both peers live in this process.
            Assert.Equal(before + 2, OpenCircuits());

            await circuit.CloseAsync();
            await Eventually(() => OpenCircuits() == before, "both ends of the closed circuit to be forgotten");
        }
    }

    [Fact]
    public async Task A_call_that_started_before_anyone_listened_does_not_bring_the_in_flight_count_below_zero()
    {
        // Alone in the process (this collection): with no listener at all when the call starts, it is not counted,
        // so its end must not be counted either.
        var (server, port, entered, release) = await CallMetricsTests.StartHeldServerAsync("inflight-late");
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            Task<Message> call = client.CallAsync(Loopback.Request("inflight-late"));
            await entered.Task.WaitAsync(Loopback.Patience);
            var seen = new ConcurrentQueue<Measurement>();
            using MeterListener listener = MeterCapture.Listen(seen, RpcDiagnostics.MeterName);
            release.SetResult();
            await call.WaitAsync(Loopback.Patience);

            Assert.DoesNotContain(seen, m => m.Instrument == "rpc25519.calls.active"
                && m.Tag("rpc.service") == "inflight-late");
            // The handler's end is still counted as a completion (a caller that started unobserved stays so).
            Assert.Contains(seen, m => m.Instrument == "rpc25519.calls.completed"
                && m.Tag("rpc.service") == "inflight-late" && m.Tag("rpc25519.side") == "server");
            Assert.DoesNotContain(seen, m => m.Instrument == "rpc25519.calls.started"
                && m.Tag("rpc.service") == "inflight-late");
        }
    }

    private static long OpenCircuits() => Observe("rpc25519.circuits.open", side: null);

    private static long Observe(string instrumentName, string? side)
    {
        long value = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RpcDiagnostics.MeterName && instrument.Name == instrumentName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, measured, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "rpc25519.side" && (string?)tag.Value != side)
                {
                    return;
                }
            }
            value = measured;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
