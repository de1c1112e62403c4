using System.Text;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>What the task of <see cref="RpcClient.CallAsync"/> promises now that it is the call's own completion
/// source (no async method around it), and what a caller may do with its messages once a call completed.</summary>
public sealed class CallTaskTests
{
    [Fact]
    public async Task A_handler_error_faults_the_task_with_a_remote_exception_that_every_await_sees()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("fail",
            (_, _) => throw new InvalidOperationException("no luck")));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> call = client.CallAsync(Loopback.Request("fail"));

        RemoteException first = await Assert.ThrowsAsync<RemoteException>(() => call.WaitAsync(Loopback.Patience));
        RemoteException again = await Assert.ThrowsAsync<RemoteException>(() => call);
        Assert.Same(first, again);
        Assert.Equal("no luck", first.RemoteMessage);
        Assert.True(call.IsFaulted);
    }

    [Fact]
    public async Task Reusing_a_request_for_the_next_call_leaves_the_first_reply_as_it_was()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        Message request = Loopback.Request("echo", "first");

        Message firstReply = await client.CallAsync(request);
        ulong firstSeqno = request.Header.SequenceNumber;
        request.Payload = Encoding.UTF8.GetBytes("second");
        request.Header.CallId = "";
        Message secondReply = await client.CallAsync(request);

        Assert.NotSame(firstReply, secondReply);
        Assert.Equal("first", firstReply.Text());
        Assert.Equal(firstSeqno, firstReply.Header.SequenceNumber);
        Assert.Equal("second", secondReply.Text());
        Assert.NotEqual(firstReply.Header.CallId, secondReply.Header.CallId);
        Assert.Equal(request.Header.CallId, secondReply.Header.CallId);
    }

    [Fact]
    public async Task The_handler_reads_the_same_call_id_the_caller_reads()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("id", (req, _) =>
            ValueTask.FromResult(new Message { Payload = Encoding.UTF8.GetBytes(req.Header.CallId) })));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        Message request = Loopback.Request("id");

        Message reply = await client.CallAsync(request);

        Assert.Equal(28, request.Header.CallId.Length);
        Assert.Equal(request.Header.CallId, reply.Text());
        Assert.Equal(request.Header.CallId, reply.Header.CallId);
    }
}
