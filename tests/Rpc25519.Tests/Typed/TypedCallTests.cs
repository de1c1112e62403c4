using MessagePack;
using Rpc25519.Typed;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Typed;

public sealed record Args(int A, int B);

public sealed class Quotient
{
    public int Quo { get; set; }

    public int Rem { get; set; }
}

[MessagePackObject]
public sealed class Tagged
{
    [Key(0)]
    public string Text { get; set; } = "";
}

public interface IArith
{
    Task<int> Multiply(Args args);

    Task<int> Slow(int milliseconds, CancellationToken cancellationToken);

    Task<Tagged> Echo(Tagged tagged);
}

public sealed class Arith
{
    public TaskCompletionSource<bool> SlowCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<int> Multiply(Args args) => Task.FromResult(args.A * args.B);

    public Task Divide(Args args, Quotient reply, CancellationToken cancellationToken)
    {
        if (args.B == 0)
        {
            throw new DivideByZeroException("divide by zero");
        }
        reply.Quo = args.A / args.B;
        reply.Rem = args.A % args.B;
        return Task.CompletedTask;
    }

    public Task<string> WhoAmI(string greeting, CallContext context) =>
        Task.FromResult($"{greeting} {context.RemoteAddress} via {context.Header.ServiceName}");

    public async Task<int> Slow(int milliseconds, CancellationToken cancellationToken)
    {
        SlowStarted.TrySetResult();
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
            return milliseconds;
        }
        catch (OperationCanceledException)
        {
            SlowCancelled.TrySetResult(true);
            throw;
        }
    }

    public Task<Tagged> Echo(Tagged tagged) => Task.FromResult(new Tagged { Text = tagged.Text + "!" });

    // Not a suitable shape: skipped.
    public int Sync(int x) => x;
}

public sealed class NothingToServe
{
    public int Add(int a, int b) => a + b;
}

public sealed class TypedCallTests
{
    internal static async Task<(RpcServer Server, RpcClient Client, Arith Arith)> StartAsync()
    {
        var arith = new Arith();
        var (server, port) = await Loopback.StartServerAsync(s => s.Register(arith));
        RpcClient client = await Loopback.ConnectAsync(port);
        return (server, client, arith);
    }

    [Fact]
    public async Task Each_method_shape_is_served()
    {
        var (server, client, _) = await StartAsync();
        await using var _s = server;
        await using var _c = client;
        Assert.Equal(42, await client.CallAsync<Args, int>("Arith.Multiply", new Args(6, 7)));
        Quotient q = await client.CallAsync<Args, Quotient>("Arith.Divide", new Args(17, 5));
        Assert.Equal((3, 2), (q.Quo, q.Rem));
        string who = await client.CallAsync<string, string>("Arith.WhoAmI", "hello");
        Assert.Equal($"hello {client.LocalAddress} via Arith.WhoAmI", who);
        Assert.Equal(5, await client.CallAsync<int, int>("Arith.Slow", 5));
    }

    [Fact]
    public async Task A_proxy_calls_through_the_interface()
    {
        var (server, client, _) = await StartAsync();
        await using var _s = server;
        await using var _c = client;
        IArith arith = client.CreateProxy<IArith>();
        Assert.Equal(56, await arith.Multiply(new Args(7, 8)));
        Assert.Equal("hi!", (await arith.Echo(new Tagged { Text = "hi" })).Text);
        Task<int>[] many = Enumerable.Range(0, 64).Select(i => arith.Multiply(new Args(i, 2))).ToArray();
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i * 2), await Task.WhenAll(many));
    }

    [Fact]
    public async Task Remote_exceptions_carry_the_remote_text()
    {
        var (server, client, _) = await StartAsync();
        await using var _s = server;
        await using var _c = client;
        var e = await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync<Args, Quotient>("Arith.Divide", new Args(1, 0)));
        Assert.Equal("divide by zero", e.RemoteMessage);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Unknown_service_and_method_name_what_was_not_found()
    {
        var (server, client, _) = await StartAsync();
        await using var _s = server;
        await using var _c = client;
        var noService = await Assert.ThrowsAsync<CallRejectedException>(() => client.CallAsync<int, int>("Algebra.Multiply", 1));
        Assert.Contains("can't find service Algebra", noService.Message);
        var noMethod = await Assert.ThrowsAsync<CallRejectedException>(() => client.CallAsync<int, int>("Arith.Power", 1));
        Assert.Contains("can't find method Arith.Power", noMethod.Message);
        var skipped = await Assert.ThrowsAsync<CallRejectedException>(() => client.CallAsync<int, int>("Arith.Sync", 1));
        Assert.Contains("can't find method Arith.Sync", skipped.Message);
        Assert.Equal(4, await client.CallAsync<Args, int>("Arith.Multiply", new Args(2, 2)));
    }

    [Fact]
    public async Task Registration_errors_are_thrown_at_Register()
    {
        await using var server = new RpcServer(Loopback.ServerConfig());
        Assert.Contains("no public methods of a suitable shape",
            Assert.Throws<ArgumentException>(() => server.Register(new NothingToServe())).Message);
        IReadOnlyList<string> served = server.Register(new Arith());
        Assert.Equal(["Arith.Divide", "Arith.Echo", "Arith.Multiply", "Arith.Slow", "Arith.WhoAmI"], served);
        Assert.Contains("already registered", Assert.Throws<InvalidOperationException>(() => server.Register(new Arith())).Message);
        Assert.Equal(["net.rpc.Arith.Divide", "net.rpc.Arith.Echo", "net.rpc.Arith.Multiply", "net.rpc.Arith.Slow",
            "net.rpc.Arith.WhoAmI"], server.Register(new Arith(), "net.rpc.Arith"));
    }

    [Fact]
    public async Task Cancelling_a_call_cancels_the_remote_handler()
    {
        var (server, client, arith) = await StartAsync();
        await using var _s = server;
        await using var _c = client;
        using var cts = new CancellationTokenSource();
        Task<int> call = client.CreateProxy<IArith>().Slow(60_000, cts.Token);
        await arith.SlowStarted.Task.WaitAsync(Loopback.Patience);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await arith.SlowCancelled.Task.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task A_deadline_reaches_the_handler()
    {
        var (server, client, arith) = await StartAsync();
        await using var _s = server;
        await using var _c = client;
        await Assert.ThrowsAnyAsync<RpcException>(() =>
            client.CallAsync<int, int>("Arith.Slow", 60_000, TimeSpan.FromMilliseconds(100)));
        Assert.True(await arith.SlowCancelled.Task.WaitAsync(Loopback.Patience));
    }
}
