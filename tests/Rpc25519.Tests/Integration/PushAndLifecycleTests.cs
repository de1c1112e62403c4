using System.Collections.Concurrent;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Server push, connection tracking, keep-alives, and what stopping or losing a connection does to calls.</summary>
public sealed class PushAndLifecycleTests
{
    [Fact]
    public async Task Server_push_reaches_the_right_client_among_several()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        RpcClient[] clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Loopback.ConnectAsync(port)));
        try
        {
            foreach (RpcClient client in clients)
            {
                await client.CallAsync(Loopback.Request("echo"));
            }
            Assert.Equal(clients.Select(c => c.LocalAddress).Order(), server.Connections.Order());

            Message push = Loopback.Request("news", "for you");
            await server.PushAsync(clients[1].LocalAddress, push);

            Message got = await clients[1].Incoming.ReadAsync().AsTask().WaitAsync(Loopback.Patience);
            Assert.Equal("for you", got.Text());
            Assert.Equal(CallType.OneWay, got.Header.CallType);
            // A marker pushed to the others afterwards must be the first thing they get: pushes on a connection keep
            // their order, so an earlier push of the news to the wrong client would come before it.
            foreach (RpcClient other in new[] { clients[0], clients[2] })
            {
                await server.PushAsync(other.LocalAddress, Loopback.Request("marker", "marker"));
                Message first = await other.Incoming.ReadAsync().AsTask().WaitAsync(Loopback.Patience);
                Assert.Equal("marker", first.Text());
            }
        }
        finally
        {
            foreach (RpcClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Push_to_an_unknown_address_or_with_a_two_way_type_is_refused()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        await client.CallAsync(Loopback.Request("echo"));

        RpcException unknown = await Assert.ThrowsAsync<RpcException>(
            () => server.PushAsync("tcp://127.0.0.1:1", Loopback.Request("x")));
        Assert.Contains("tcp://127.0.0.1:1", unknown.Message);
        var twoWay = Loopback.Request("x");
        twoWay.Header.CallType = CallType.Call;
        await Assert.ThrowsAsync<ArgumentException>(() => server.PushAsync(client.LocalAddress, twoWay));
    }

    [Fact]
    public async Task Connect_and_disconnect_events_carry_the_clients_address()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        var connected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ClientConnected += (_, e) => connected.TrySetResult(e.RemoteAddress);
        server.ClientDisconnected += (_, e) => disconnected.TrySetResult(e.RemoteAddress);

        RpcClient client = await Loopback.ConnectAsync(port);
        string address = client.LocalAddress;
        Assert.Equal(address, await connected.Task.WaitAsync(Loopback.Patience));
        await client.DisposeAsync();

        Assert.Equal(address, await disconnected.Task.WaitAsync(Loopback.Patience));
        Assert.DoesNotContain(address, server.Connections);
    }

    [Fact]
    public async Task A_throwing_event_subscriber_breaks_neither_accepting_nor_closing()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        server.ClientConnected += (_, _) => throw new InvalidOperationException("subscriber bug");
        server.ClientDisconnected += (_, _) => throw new InvalidOperationException("subscriber bug");

        await using (RpcClient first = await Loopback.ConnectAsync(port))
        {
            Assert.Equal("one", (await first.CallAsync(Loopback.Request("echo", "one"))).Text());
        }
        await using RpcClient second = await Loopback.ConnectAsync(port);

        Assert.Equal("two", (await second.CallAsync(Loopback.Request("echo", "two"))).Text());
    }

    [Fact]
    public async Task Stopping_the_server_fails_pending_calls_promptly_even_if_a_handler_ignores_its_token()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        var (server, port) = await Loopback.StartServerAsync(
            s => s.RegisterCall("stuck", async (_, _) =>
            {
                started.TrySetResult();
                await never.Task;
                return new Message();
            }),
            c => c.ShutdownGracePeriod = TimeSpan.FromMilliseconds(200));
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> call = client.CallAsync(Loopback.Request("stuck"));
        await started.Task.WaitAsync(Loopback.Patience);
        await server.DisposeAsync().AsTask().WaitAsync(Loopback.Patience);

        await Assert.ThrowsAsync<RpcConnectionClosedException>(() => call.WaitAsync(Loopback.Patience));
        await Assert.ThrowsAsync<RpcConnectionClosedException>(
            () => client.CallAsync(Loopback.Request("stuck")));
        Assert.False(client.IsConnected);
        never.SetResult();
    }

    [Fact]
    public async Task Stopping_the_server_cancels_cooperative_handlers_whose_replies_still_arrive()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("patient", async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new Message();
        }));
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> call = client.CallAsync(Loopback.Request("patient"));
        await started.Task.WaitAsync(Loopback.Patience);
        await server.DisposeAsync();

        var error = await Assert.ThrowsAsync<RemoteException>(() => call.WaitAsync(Loopback.Patience));
        Assert.Contains("cancelled", error.RemoteMessage);
        Assert.Contains("cancelled", error.Reply!.Error);
    }

    [Fact]
    public async Task Disposing_the_client_fails_its_pending_calls()
    {
        var waiter = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(waiter.Register);
        await using var _ = server;
        RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> call = client.CallAsync(Loopback.Request("wait"));
        await waiter.Started.Task.WaitAsync(Loopback.Patience);
        await client.DisposeAsync();

        await Assert.ThrowsAsync<RpcConnectionClosedException>(() => call.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task Keep_alives_flow_when_the_connection_is_idle()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo,
            c => c.ServerKeepAliveInterval = TimeSpan.FromMilliseconds(50));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port,
            c => c.ClientKeepAliveInterval = TimeSpan.FromMilliseconds(50));

        await WaitUntil(() => client.PingStats.KeepAlivesReceived >= 2 && client.PingStats.KeepAlivesSent >= 2);
        PingStats serverSide = server.GetPingStats(client.LocalAddress)!;

        Assert.True(serverSide.KeepAlivesReceived >= 1);
        Assert.NotNull(client.PingStats.LastReceived);
        Assert.Null(server.GetPingStats("tcp://127.0.0.1:1"));
    }

    [Fact]
    public async Task A_silent_peer_is_closed_as_dead_and_its_calls_fail()
    {
        var waiter = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(waiter.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port,
            c => c.DeadConnectionTimeout = TimeSpan.FromMilliseconds(300));

        Task<Message> call = client.CallAsync(Loopback.Request("wait"));

        RpcConnectionClosedException error = await Assert.ThrowsAsync<RpcConnectionClosedException>(
            () => call.WaitAsync(Loopback.Patience));
        Assert.Contains("DeadConnectionTimeout", error.Message);
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_with_a_transport_error()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await server.DisposeAsync();

        await Assert.ThrowsAsync<RpcTransportException>(() => Loopback.ConnectAsync(port));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        DateTime giveUp = DateTime.UtcNow + Loopback.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "Condition not reached in time.");
            await Task.Delay(20);
        }
    }
}
