using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>A null where the API has a string or a payload is taken as empty: it never reaches the writer, so it cannot
/// close a connection that other calls share (issue 11, defect 6).</summary>
public sealed class NullFieldTests
{
    [Fact]
    public async Task Null_fields_in_a_request_are_sent_as_empty_and_the_connection_stays_up()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        var request = new Message { Payload = null!, Error = null! };
        request.Header.ServiceName = "echo";
        request.Header.Subject = null!;
        request.Header.CallId = null!;
        request.Header.FromServiceName = null!;
        request.Header.ToPeerName = null!;

        Message reply = await client.CallAsync(request).WaitAsync(Loopback.Patience);

        Assert.Empty(reply.Payload);
        Assert.Equal("", reply.Header.Subject);
        Assert.Equal("ok", (await client.CallAsync(Loopback.Request("echo", "ok"))).Text());
    }

    [Fact]
    public async Task A_null_service_name_is_an_unknown_service_not_a_broken_connection()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        var request = new Message();
        request.Header.ServiceName = null!;

        await Assert.ThrowsAsync<CallRejectedException>(() => client.CallAsync(request).WaitAsync(Loopback.Patience));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_handler_reply_with_null_fields_arrives_and_a_null_header_is_an_error_reply_at_once()
    {
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("nulls", (_, _) =>
            {
                var reply = new Message { Payload = null! };
                reply.Header.Subject = null!;
                reply.Header.Args["k"] = null!;
                return ValueTask.FromResult(reply);
            });
            s.RegisterCall("headless", (_, _) => ValueTask.FromResult(new Message { Header = null! }));
            Loopback.Echo(s);
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message nulls = await client.CallAsync(Loopback.Request("nulls")).WaitAsync(Loopback.Patience);
        var headless = await Assert.ThrowsAsync<RemoteException>(
            () => client.CallAsync(Loopback.Request("headless")).WaitAsync(Loopback.Patience));

        Assert.Empty(nulls.Payload);
        Assert.Equal("", nulls.Header.Args["k"]);
        Assert.Contains("Header", headless.Message);
        Assert.Equal("ok", (await client.CallAsync(Loopback.Request("echo", "ok"))).Text());
    }

    [Fact]
    public void Null_fragment_fields_read_back_as_empty()
    {
        var fragment = new Rpc25519.Peers.Fragment { Payload = null!, Error = null!, Subject = null!, CircuitId = null! };
        Assert.Equal((0, "", "", ""), (fragment.Payload.Length, fragment.Error, fragment.Subject, fragment.CircuitId));
    }
}
