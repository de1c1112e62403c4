using System.Text;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>The Message API's basic promises: two-way calls, one-way sends, handler errors, unknown services.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public async Task Two_way_call_returns_the_handlers_reply_with_the_requests_identity()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.Register2Func("upper", (req, reply, _) =>
        {
            reply.JobSerz = Encoding.UTF8.GetBytes(req.Text().ToUpperInvariant());
            reply.Hdr.Args["seen-from"] = req.Hdr.From;
            return ValueTask.CompletedTask;
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message request = Loopback.Request("upper", "hello");
        request.Hdr.Subject = "greeting";
        Message reply = await client.SendAndGetReplyAsync(request);

        Assert.Equal("HELLO", reply.Text());
        Assert.Equal(CallType.CallRpcReply, reply.Hdr.Typ);
        Assert.Equal(request.Hdr.Seqno, reply.Hdr.Seqno);
        Assert.Equal(request.Hdr.CallId, reply.Hdr.CallId);
        Assert.NotEmpty(request.Hdr.CallId);
        Assert.Equal("greeting", reply.Hdr.Subject);
        Assert.Equal("", reply.JobErrs);
        Assert.Equal(client.LocalAddress, reply.Hdr.Args["seen-from"]);
        Assert.StartsWith("tcp://127.0.0.1:", client.LocalAddress);
        Assert.Equal($"tcp://127.0.0.1:{port}", reply.Hdr.From);
    }

    [Fact]
    public async Task One_way_send_reaches_its_handler()
    {
        var received = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.Register1Func("note", (msg, _) =>
        {
            received.TrySetResult(msg);
            return ValueTask.CompletedTask;
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message note = Loopback.Request("note", "fire and forget");
        note.Hdr.Args["k"] = "v";
        await client.OneWaySendAsync(note);

        Message got = await received.Task.WaitAsync(Loopback.Patience);
        Assert.Equal("fire and forget", got.Text());
        Assert.Equal(CallType.CallOneWay, got.Hdr.Typ);
        Assert.Equal("v", got.Hdr.Args["k"]);
        Assert.Equal(client.LocalAddress, got.Hdr.From);
    }

    [Fact]
    public async Task Handler_exception_comes_back_as_JobErrs_and_the_connection_stays_up()
    {
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.Register2Func("fail", (_, _, _) => throw new InvalidOperationException("divide by zero"));
            Loopback.Echo(s);
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message reply = await client.SendAndGetReplyAsync(Loopback.Request("fail"));

        Assert.Equal("divide by zero", reply.JobErrs);
        Assert.Equal(CallType.CallRpcReply, reply.Hdr.Typ);
        Assert.Equal("still here", (await client.SendAndGetReplyAsync(Loopback.Request("echo", "still here"))).Text());
    }

    [Fact]
    public async Task Unknown_service_gets_CallError_naming_it_and_the_connection_keeps_working()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message reply = await client.SendAndGetReplyAsync(Loopback.Request("no-such-thing"));

        Assert.Equal(CallType.CallError, reply.Hdr.Typ);
        Assert.Contains("no-such-thing", reply.Hdr.Subject);
        Assert.Equal("ok", (await client.SendAndGetReplyAsync(Loopback.Request("echo", "ok"))).Text());
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task One_way_send_to_an_unknown_service_gets_a_CallError_on_Incoming()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        await client.OneWaySendAsync(Loopback.Request("nobody-home"));

        Message error = await client.Incoming.ReadAsync().AsTask().WaitAsync(Loopback.Patience);
        Assert.Equal(CallType.CallError, error.Hdr.Typ);
        Assert.Contains("nobody-home", error.Hdr.Subject);
    }

    [Fact]
    public async Task A_thousand_concurrent_calls_on_one_connection_each_get_their_own_reply()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.Register2Func("slow-echo", async (req, reply, ct) =>
        {
            // Finish out of order so that matching by arrival order would fail.
            if (int.Parse(req.Text()) % 3 == 0)
            {
                await Task.Yield();
            }
            reply.JobSerz = req.JobSerz;
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message>[] calls = Enumerable.Range(0, 1000)
            .Select(i => client.SendAndGetReplyAsync(Loopback.Request("slow-echo", i.ToString())).AsTask())
            .ToArray();
        Message[] replies = await Task.WhenAll(calls).WaitAsync(Loopback.Patience);

        for (int i = 0; i < replies.Length; i++)
        {
            Assert.Equal(i.ToString(), replies[i].Text());
        }
        Assert.Equal(1000, replies.Select(r => r.Hdr.CallId).Distinct().Count());
    }

    [Fact]
    public async Task A_handler_that_blocks_its_thread_does_not_stall_other_calls_on_the_connection()
    {
        var blocking = new ManualResetEventSlim();
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.Register2Func("block", (_, _, _) =>
            {
                blocking.Wait(Loopback.Patience);
                return ValueTask.CompletedTask;
            });
            Loopback.Echo(s);
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> blocked = client.SendAndGetReplyAsync(Loopback.Request("block")).AsTask();
        Message echoed = await client.SendAndGetReplyAsync(Loopback.Request("echo", "through"))
            .AsTask().WaitAsync(Loopback.Patience);

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

        Message reply = await client.SendAndGetReplyAsync(new Message { JobSerz = payload, Hdr = { ServiceName = "echo" } });

        Assert.Equal(payload, reply.JobSerz);
    }

    [Fact]
    public async Task A_message_over_the_frame_limit_fails_for_its_sender_only()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.MaxFrameBytes = 64 * 1024);

        var tooBig = new Message { JobSerz = new byte[100 * 1024], Hdr = { ServiceName = "echo" } };
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => client.SendAndGetReplyAsync(tooBig).AsTask());

        Assert.Contains("MaxFrameBytes", error.Message);
        Assert.Equal("fine", (await client.SendAndGetReplyAsync(Loopback.Request("echo", "fine"))).Text());
    }
}
