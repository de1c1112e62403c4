using System.Text;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>The Message API's basic promises: two-way calls, one-way sends, handler errors, unknown services.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public async Task Two_way_call_returns_the_handlers_reply_with_the_requests_identity()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("upper", (req, _) =>
        {
            var reply = new Message();
            reply.Payload = Encoding.UTF8.GetBytes(req.Text().ToUpperInvariant());
            reply.Header.Args["seen-from"] = req.Header.From;
            return ValueTask.FromResult(reply);
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message request = Loopback.Request("upper", "hello");
        request.Header.Subject = "greeting";
        Message reply = await client.CallAsync(request);

        Assert.Equal("HELLO", reply.Text());
        Assert.Equal(CallType.Reply, reply.Header.CallType);
        Assert.Equal(request.Header.SequenceNumber, reply.Header.SequenceNumber);
        Assert.Equal(request.Header.CallId, reply.Header.CallId);
        Assert.NotEmpty(request.Header.CallId);
        Assert.Equal("greeting", reply.Header.Subject);
        Assert.Equal("", reply.Error);
        Assert.Equal(client.LocalAddress, reply.Header.Args["seen-from"]);
        Assert.StartsWith("tcp://127.0.0.1:", client.LocalAddress);
        Assert.Equal($"tcp://127.0.0.1:{port}", reply.Header.From);
    }

    [Fact]
    public async Task One_way_send_reaches_its_handler()
    {
        var received = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterOneWay("note", (msg, _) =>
        {
            received.TrySetResult(msg);
            return ValueTask.CompletedTask;
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message note = Loopback.Request("note", "fire and forget");
        note.Header.Args["k"] = "v";
        await client.SendAsync(note);

        Message got = await received.Task.WaitAsync(Loopback.Patience);
        Assert.Equal("fire and forget", got.Text());
        Assert.Equal(CallType.OneWay, got.Header.CallType);
        Assert.Equal("v", got.Header.Args["k"]);
        Assert.Equal(client.LocalAddress, got.Header.From);
    }

    [Fact]
    public async Task Handler_exception_comes_back_as_RemoteException_with_the_reply_and_the_connection_stays_up()
    {
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("fail", (_, _) => throw new InvalidOperationException("divide by zero"));
            Loopback.Echo(s);
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        var error = await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync(Loopback.Request("fail")));

        Assert.Equal("divide by zero", error.Message);
        Assert.Equal("divide by zero", error.Reply!.Error);
        Assert.Equal(CallType.Reply, error.Reply.Header.CallType);
        Assert.Equal("still here", (await client.CallAsync(Loopback.Request("echo", "still here"))).Text());
    }

    [Fact]
    public async Task A_handler_may_return_its_request_as_the_reply_and_an_empty_subject_becomes_the_requests()
    {
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("mirror", (request, _) => ValueTask.FromResult(request));
            s.RegisterCall("fresh", (_, _) => ValueTask.FromResult(new Message { Payload = [42] }));
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        Message request = Loopback.Request("mirror", "look");
        request.Header.Subject = "topic";
        request.Header.Args["k"] = "v";

        Message asked = Loopback.Request("fresh");
        asked.Header.Subject = "asked";

        Message mirrored = await client.CallAsync(request);
        Message fresh = await client.CallAsync(asked);

        Assert.Equal("look", mirrored.Text());
        Assert.Equal(("topic", "v", CallType.Reply), (mirrored.Header.Subject, mirrored.Header.Args["k"], mirrored.Header.CallType));
        Assert.Equal(request.Header.CallId, mirrored.Header.CallId);
        Assert.Equal([42], fresh.Payload);
        Assert.Equal("asked", fresh.Header.Subject);
    }

    [Fact]
    public async Task A_handler_that_returns_null_is_reported_to_the_caller()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("nothing", (_, _) => default));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        var error = await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync(Loopback.Request("nothing")));

        Assert.Contains("returned null", error.Message);
    }

    [Fact]
    public async Task Unknown_service_is_a_CallRejectedException_naming_it_and_the_connection_keeps_working()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        var error = await Assert.ThrowsAsync<CallRejectedException>(
            () => client.CallAsync(Loopback.Request("no-such-thing")));

        Assert.Contains("no-such-thing", error.Message);
        Assert.Equal("ok", (await client.CallAsync(Loopback.Request("echo", "ok"))).Text());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task One_way_send_to_an_unknown_service_gets_a_CallError_on_Incoming()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        await client.SendAsync(Loopback.Request("nobody-home"));

        Message error = await client.Incoming.ReadAsync().AsTask().WaitAsync(Loopback.Patience);
        Assert.Equal(CallType.Error, error.Header.CallType);
        Assert.Contains("nobody-home", error.Header.Subject);
    }

    [Fact]
    public async Task A_thousand_concurrent_calls_on_one_connection_each_get_their_own_reply()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("slow-echo", async (req, ct) =>
        {
            var reply = new Message();
            // Finish out of order so that matching by arrival order would fail.
            if (int.Parse(req.Text()) % 3 == 0)
            {
                await Task.Yield();
            }
            reply.Payload = req.Payload;
            return reply;
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message>[] calls = Enumerable.Range(0, 1000)
            .Select(i => client.CallAsync(Loopback.Request("slow-echo", i.ToString())))
            .ToArray();
        Message[] replies = await Task.WhenAll(calls).WaitAsync(Loopback.Patience);

        for (int i = 0; i < replies.Length; i++)
        {
            Assert.Equal(i.ToString(), replies[i].Text());
        }
        Assert.Equal(1000, replies.Select(r => r.Header.CallId).Distinct().Count());
    }

    [Fact]
    public async Task A_handler_that_blocks_its_thread_does_not_stall_other_calls_on_the_connection()
    {
        var blocking = new ManualResetEventSlim();
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("block", (_, _) =>
            {
                blocking.Wait(Loopback.Patience);
                return ValueTask.FromResult(new Message());
            });
            Loopback.Echo(s);
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> blocked = client.CallAsync(Loopback.Request("block"));
        Message echoed = await client.CallAsync(Loopback.Request("echo", "through"))
            .WaitAsync(Loopback.Patience);

        Assert.Equal("through", echoed.Text());
        Assert.False(blocked.IsCompleted);
        blocking.Set();
        await blocked.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task Large_payload_round_trips_intact()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        byte[] payload = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(payload);

        Message reply = await client.CallAsync(new Message { Payload = payload, Header = { ServiceName = "echo" } });

        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task A_message_over_the_frame_limit_fails_for_its_sender_only()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.MaxFrameBytes = 64 * 1024);

        var tooBig = new Message { Payload = new byte[100 * 1024], Header = { ServiceName = "echo" } };
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(tooBig));

        Assert.Contains("MaxFrameBytes", error.Message);
        Assert.Equal("fine", (await client.CallAsync(Loopback.Request("echo", "fine"))).Text());
    }
}
