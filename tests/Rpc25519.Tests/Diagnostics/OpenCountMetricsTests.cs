using System.Diagnostics.Metrics;
using Rpc25519.Diagnostics;
using Rpc25519.Peers;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Diagnostics;

/// <summary><c>rpc25519.circuits.open</c> and <c>rpc25519.connections.open</c> count what is open in the process, however
/// late a listener comes; these run with the tests that nothing runs beside, because other tests open both.</summary>
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
