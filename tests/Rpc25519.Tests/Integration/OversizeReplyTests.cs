using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>A reply or push too large to send is reported at once, not left to time out (issue 11, defect 7).</summary>
public sealed class OversizeReplyTests
{
    private const int Limit = 64 * 1024;

    [Theory]
    [InlineData("big-payload")]
    [InlineData("big-subject")]
    [InlineData("big-args")]
    public async Task A_reply_over_the_frame_limit_fails_the_call_at_once_saying_why(string service)
    {
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("big-payload", (_, _) => ValueTask.FromResult(new Message { Payload = new byte[Limit + 1] }));
            s.RegisterCall("big-subject", (_, _) =>
                ValueTask.FromResult(new Message { Header = { Subject = new string('s', Limit) } }));
            s.RegisterCall("big-args", (_, _) =>
            {
                var reply = new Message();
                for (int i = 0; i < 100; i++)
                {
                    reply.Header.Args["k" + i] = new string('a', Limit / 50);
                }
                return ValueTask.FromResult(reply);
            });
            Loopback.Echo(s);
        }, o => o.MaxFrameBytes = Limit);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, o => o.DefaultCallTimeout = TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<CallRejectedException>(
            () => client.CallAsync(Loopback.Request(service)).WaitAsync(Loopback.Patience));

        Assert.Contains("MaxFrameBytes", error.Message);
        Assert.Equal("still here", (await client.CallAsync(Loopback.Request("echo", "still here"))).Text());
    }

    [Fact]
    public async Task A_push_over_the_frame_limit_fails_the_push_and_the_connection_stays_up()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, o => o.MaxFrameBytes = Limit);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        await Peers.PeerHarness.Eventually(() => server.Connections.Count == 1, "the server to see the client");

        var push = new Message { Payload = new byte[Limit + 1] };
        var error = await Assert.ThrowsAsync<RpcException>(
            () => server.PushAsync(client.LocalAddress, push).WaitAsync(Loopback.Patience));

        Assert.Contains("MaxFrameBytes", error.Message);
        Assert.Equal("ok", (await client.CallAsync(Loopback.Request("echo", "ok"))).Text());
    }
}
