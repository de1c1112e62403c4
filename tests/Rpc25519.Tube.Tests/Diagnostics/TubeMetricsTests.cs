using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Rpc25519.Tests.Diagnostics;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Diagnostics;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Diagnostics;

/// <summary>Issue 14 item 5: the <c>Rpc25519.Tube</c> meter reports commit and fsync latency, group-commit batch
/// sizes, leader changes and the replica's gauges. One replica on loopback TCP with real files, alone in the process
/// (the log writer's instruments carry no node tag, so no other test may write a log meanwhile).</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class TubeMetricsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const ulong NodeId = 4242;
    private readonly LoopbackDirectory dir = new("tube-metrics-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_replica_reports_commits_fsyncs_leadership_and_its_state()
    {
        var seen = new ConcurrentQueue<Measurement>();
        using MeterListener listener = MeterCapture.Listen(seen, TubeDiagnostics.MeterName);
        string address = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        var members = new SortedDictionary<ulong, string> { [NodeId] = address };
        await using TubeReplica replica = await TubeReplica.StartAsync(new TubeReplicaOptions
        {
            NodeId = NodeId,
            Members = members,
            Rpc = new RpcOptions { Transport = TransportKind.Tcp, ListenAddress = address },
            Storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = dir.Root + "/node" }),
            TickInterval = TimeSpan.FromMilliseconds(20),
        });
        await using (var client = new TubeClient(new TubeClientOptions
        {
            Members = [address], Rpc = new RpcOptions { Transport = TransportKind.Tcp }, OperationTimeout = Patience,
        }))
        {
            for (int i = 0; i < 3; i++)
            {
                await client.PutAsync("t", Encoding.UTF8.GetBytes("k" + i), [1]);
            }
            await client.PutAsync("t", "leased"u8.ToArray(), [2], lease: TimeSpan.FromMinutes(5));

            // The gauges are what the host loop last published; it publishes every tick while someone listens.
            long applied = (await replica.GetStatusAsync()).AppliedIndex;
            await Eventually(() => Gauge("tube.applied.index") >= applied && Gauge("tube.leases") == 1,
                "the gauges to show the writes");
            Assert.Equal(1, Gauge("tube.leader"));
            Assert.True(Gauge("tube.sessions") >= 1, "the client's session is open");
            Assert.True(Gauge("tube.term") >= 1);
        }

        Measurement[] mine = [.. seen.Where(m => m.Tag("tube.node") == "4242")];
        Assert.True(mine.Count(m => m.Instrument == "tube.commit.duration") >= 4, "one per client command");
        Assert.All(mine.Where(m => m.Instrument == "tube.commit.duration"), m => Assert.InRange(m.Value, 0, 30));
        Assert.Equal(1, mine.Where(m => m.Instrument == "tube.leader.changes").Sum(m => m.Value));
        Measurement[] batches = [.. seen.Where(m => m.Instrument == "tube.wal.batch.records")];
        Assert.NotEmpty(batches);
        Assert.All(batches, m => Assert.True(m.Value >= 1, "a batch makes at least one record durable"));
        Assert.Equal(batches.Length, seen.Count(m => m.Instrument == "tube.wal.fsync.duration"));

        long Gauge(string name)
        {
            long value = -1;
            using var probe = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == TubeDiagnostics.MeterName && instrument.Name == name)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            probe.SetMeasurementEventCallback<long>((_, measured, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "tube.node" && (string?)tag.Value == "4242")
                    {
                        value = measured;
                    }
                }
            });
            probe.Start();
            probe.RecordObservableInstruments();
            return value;
        }
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {Patience.TotalSeconds} s waiting for {what}.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }
}
