using Rpc25519.Typed;

namespace Rpc25519.Tests.Typed;

/// <summary>The net/rpc shape on the client side: the call fills in the caller's reply object.</summary>
public interface IArithNetRpc
{
    Task Divide(Args args, Quotient reply);

    Task Divide(Args args, Quotient reply, CancellationToken cancellationToken);
}

public interface IValueReply
{
    Task Divide(Args args, int reply);
}

public interface IContextOnClient
{
    Task<int> Multiply(Args args, CallContext context);
}

public sealed class ProxyShapeTests
{
    [Fact]
    public async Task A_proxy_of_the_net_rpc_shape_fills_in_the_callers_reply_object()
    {
        var (server, client, _) = await TypedCallTests.StartAsync();
        await using var _s = server;
        await using var _c = client;
        IArithNetRpc arith = client.CreateProxy<IArithNetRpc>("Arith");

        var reply = new Quotient();
        await arith.Divide(new Args(17, 5), reply);
        Assert.Equal((3, 2), (reply.Quo, reply.Rem));

        var again = new Quotient();
        using var cts = new CancellationTokenSource(Integration.Loopback.Patience);
        await arith.Divide(new Args(9, 4), again, cts.Token);
        Assert.Equal((2, 1), (again.Quo, again.Rem));
    }

    [Fact]
    public async Task A_net_rpc_shaped_proxy_call_that_fails_throws_and_leaves_the_reply_object_alone()
    {
        var (server, client, _) = await TypedCallTests.StartAsync();
        await using var _s = server;
        await using var _c = client;
        IArithNetRpc arith = client.CreateProxy<IArithNetRpc>("Arith");
        var reply = new Quotient { Quo = -1, Rem = -1 };

        var error = await Assert.ThrowsAsync<RemoteException>(() => arith.Divide(new Args(1, 0), reply));

        Assert.Equal("divide by zero", error.RemoteMessage);
        Assert.Equal((-1, -1), (reply.Quo, reply.Rem));
        await Assert.ThrowsAsync<ArgumentNullException>(() => arith.Divide(new Args(1, 1), null!));
    }

    [Fact]
    public void Shapes_a_proxy_cannot_honour_are_refused_when_it_is_made()
    {
        var client = (RpcClient)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(RpcClient));
        var valueReply = Assert.Throws<ArgumentException>(() => client.CreateProxy<IValueReply>());
        Assert.Contains("value type", valueReply.Message);
        var context = Assert.Throws<ArgumentException>(() => client.CreateProxy<IContextOnClient>());
        Assert.Contains("Task M(TArgs args, TReply reply[, CancellationToken ct])", context.Message);
    }
}
