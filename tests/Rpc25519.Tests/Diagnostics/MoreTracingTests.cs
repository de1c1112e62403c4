using System.Collections.Concurrent;
using System.Diagnostics;
using Rpc25519.Diagnostics;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Streams;
using Rpc25519.Tests.Integration;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Diagnostics;

/// <summary>One-way sends, stream openings and circuits make spans joined across the connection by the trace context
/// in the header, as calls do (issue 17, item 3).</summary>
[Collection(GlobalListenersCollection.Name)]
public sealed class MoreTracingTests
{
    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RpcDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Fact]
    public async Task A_one_way_send_is_a_producer_span_and_its_handler_a_consumer_child()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using ActivityListener listener = Listen(stopped);
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterOneWay("traced-note", (_, _) =>
        {
            handled.SetResult();
            return ValueTask.CompletedTask;
        }));
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            Activity? before = Activity.Current;
            await client.SendAsync(Loopback.Request("traced-note"));
            Assert.Same(before, Activity.Current); // the send's span does not stay current in the caller's flow
            await handled.Task.WaitAsync(Loopback.Patience);
        }

        await Eventually(() => stopped.Any(a => a.Kind == ActivityKind.Consumer), "the handler's span to stop");
        Activity send = stopped.Single(a => a.Kind == ActivityKind.Producer && a.OperationName == "traced-note");
        Activity handler = stopped.Single(a => a.Kind == ActivityKind.Consumer && a.OperationName == "traced-note");
        Assert.Equal(send.TraceId, handler.TraceId);
        Assert.Equal(send.SpanId, handler.ParentSpanId);
        Assert.Equal("ok", send.GetTagItem("rpc25519.outcome"));
    }

    [Fact]
    public async Task Each_stream_opening_is_a_client_span_parent_of_its_stream_functions_span()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using ActivityListener listener = Listen(stopped);
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterUpload("traced-up", async (parts, ct) =>
            {
                await foreach (Message _ in parts.WithCancellation(ct))
                {
                }
                return new Message();
            });
            s.RegisterDownload("traced-down", async (_, sender, ct) =>
            {
                await sender.SendAsync(new Message(), last: true, ct);
                return new Message();
            });
            s.RegisterBistream("traced-bi", async (parts, sender, ct) =>
            {
                await foreach (Message _ in parts.WithCancellation(ct))
                {
                }
                await sender.SendAsync(new Message(), last: true, ct);
                return new Message();
            });
        });
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            await using (Uploader up = await client.BeginUploadAsync("traced-up", new Message()))
            {
                await up.CompleteAsync(new Message()).WaitAsync(Loopback.Patience);
            }
            await using (Downloader down = await client.BeginDownloadAsync("traced-down", new Message()))
            {
                await foreach (Message _ in down.ReadAllAsync())
                {
                }
                await down.Reply.WaitAsync(Loopback.Patience);
            }
            await using (Bistreamer bi = await client.BeginBistreamAsync("traced-bi", new Message()))
            {
                await bi.CompleteUploadAsync(new Message());
                await bi.Reply.WaitAsync(Loopback.Patience);
            }
        }

        foreach ((string service, string kind) in new[]
            { ("traced-up", "upload"), ("traced-down", "download"), ("traced-bi", "bistream") })
        {
            await Eventually(() => stopped.Any(a => a.Kind == ActivityKind.Server && a.OperationName == service),
                $"the {kind} function's span to stop");
            Activity opening = stopped.Single(a => a.Kind == ActivityKind.Client && a.OperationName == service);
            Activity function = stopped.Single(a => a.Kind == ActivityKind.Server && a.OperationName == service);
            Assert.Equal(kind, opening.GetTagItem("rpc25519.stream"));
            Assert.Equal(opening.SpanId, function.ParentSpanId);
            Assert.Equal(opening.TraceId, function.TraceId);
        }
    }

    [Fact]
    public async Task A_circuit_has_a_span_on_each_end_from_open_to_close_joined_in_one_trace()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using ActivityListener listener = Listen(stopped);
        await using (var h = await StartAsync())
        {
            LocalPeer local = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
            RemotePeer remote = await h.Server.PeerApi.StartRemotePeerAsync(Echo, h.Client.LocalAddress);
            Circuit circuit = await local.OpenCircuitAsync("traced-talk", remote.PeerUrl, Frag("hello"));
            await ReadAsync(circuit.Reads);
            Assert.DoesNotContain(stopped, a => a.OperationName == "rpc25519.circuit"
                && (string?)a.GetTagItem("rpc25519.circuit.name") == "traced-talk");

            await circuit.CloseAsync();
            await Eventually(() => Circuits().Length == 2, "both ends' circuit spans to stop");
        }

        Activity opener = Circuits().Single(a => a.Kind == ActivityKind.Client);
        Activity acceptor = Circuits().Single(a => a.Kind == ActivityKind.Server);
        Assert.Equal(opener.TraceId, acceptor.TraceId);
        Assert.Equal(opener.SpanId, acceptor.ParentSpanId);
        Assert.Equal("open", opener.GetTagItem("rpc25519.circuit.role"));
        Assert.Equal("accept", acceptor.GetTagItem("rpc25519.circuit.role"));
        Assert.Equal(Echo, opener.GetTagItem("rpc25519.peer.service"));
        Assert.Contains("closed locally", (string?)opener.GetTagItem("rpc25519.circuit.close_reason"),
            StringComparison.Ordinal);
        Assert.Equal(ActivityStatusCode.Unset, opener.Status);

        Activity[] Circuits() => [.. stopped.Where(a => a.OperationName == "rpc25519.circuit"
            && (string?)a.GetTagItem("rpc25519.circuit.name") == "traced-talk")];
    }
}
