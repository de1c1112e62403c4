using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Rpc25519.Hosting.Tests.HostingTests;

namespace Rpc25519.Hosting.Tests;

/// <summary>A scoped dependency that records which instances were made and which were disposed.</summary>
public sealed class CallResource : IAsyncDisposable
{
    private static int s_next;

    public static readonly ConcurrentDictionary<int, bool> Disposed = new();

    public int Id { get; } = Interlocked.Increment(ref s_next);

    public CallResource() => Disposed[Id] = false;

    public ValueTask DisposeAsync()
    {
        Disposed[Id] = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A typed service that takes the scoped resource twice: within one call both are the same object.</summary>
public sealed class ScopedEcho(CallResource first, CallResource second) : IDisposable
{
    public static readonly ConcurrentDictionary<int, bool> Disposed = new();

    public Task<int[]> Ids(int unused) => Task.FromResult(new[] { first.Id, second.Id });

    public Task<int> Fail(int unused) => throw new InvalidOperationException("the call failed on resource " + first.Id);

    public void Dispose() => Disposed[first.Id] = true;
}

/// <summary>Issue 17 item 1: a service registered as scoped (or transient) gets a dependency-injection scope per call,
/// disposed after the call, and <c>perCall</c> objects are disposed with their scope.</summary>
public sealed class ScopedServiceTests
{
    private static async Task<(IHost Host, RpcClient Client)> StartAsync(Action<RpcServerRegistrations> serve,
        Action<IServiceCollection> register)
    {
        IHost host = BuildHost(LoopbackSettings(FreePort()), serve, register);
        await host.StartAsync().WaitAsync(Patience);
        RpcClient client = await host.Services.GetRequiredService<RpcClientFactory>().GetClientAsync()
            .WaitAsync(Patience);
        return (host, client);
    }

    [Fact]
    public async Task A_scoped_service_gets_a_new_scope_per_call_shared_within_the_call_and_disposed_after_it()
    {
        var (host, client) = await StartAsync(serve => serve.MapRpcService<ScopedEcho>(), services => services
            .AddScoped<CallResource>().AddScoped<ScopedEcho>());
        using (host)
        {
            int[] one = await client.CallAsync<int, int[]>("ScopedEcho.Ids", 0);
            int[] two = await client.CallAsync<int, int[]>("ScopedEcho.Ids", 0);
            var failure = await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync<int, int>("ScopedEcho.Fail", 0));
            await host.StopAsync().WaitAsync(Patience);

            Assert.Equal(one[0], one[1]);
            Assert.Equal(two[0], two[1]);
            Assert.NotEqual(one[0], two[0]);
            // The scope is disposed before the reply leaves, so by the time the caller has it, it is done.
            Assert.True(CallResource.Disposed[one[0]]);
            Assert.True(CallResource.Disposed[two[0]]);
            Assert.True(ScopedEcho.Disposed[one[0]]);
            int failed = int.Parse(failure.Message.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(CallResource.Disposed[failed], "a call that threw has its scope disposed too");
        }
    }

    [Fact]
    public async Task A_transient_service_also_gets_a_scope_per_call()
    {
        var (host, client) = await StartAsync(serve => serve.MapRpcService<ScopedEcho>("TransientEcho"),
            services => services.AddScoped<CallResource>().AddTransient<ScopedEcho>());
        using (host)
        {
            int[] one = await client.CallAsync<int, int[]>("TransientEcho.Ids", 0);
            int[] two = await client.CallAsync<int, int[]>("TransientEcho.Ids", 0);
            await host.StopAsync().WaitAsync(Patience);

            Assert.NotEqual(one[0], two[0]);
            Assert.True(CallResource.Disposed[one[0]]);
            Assert.True(ScopedEcho.Disposed[two[0]]);
        }
    }

    [Fact]
    public async Task A_per_call_object_takes_scoped_dependencies_and_is_disposed_with_its_scope()
    {
        var (host, client) = await StartAsync(serve => serve.MapRpcService<ScopedEcho>("MadeEcho", perCall: true),
            services => services.AddScoped<CallResource>());
        using (host)
        {
            int[] one = await client.CallAsync<int, int[]>("MadeEcho.Ids", 0);
            await host.StopAsync().WaitAsync(Patience);

            Assert.Equal(one[0], one[1]);
            Assert.True(CallResource.Disposed[one[0]]);
            Assert.True(ScopedEcho.Disposed[one[0]], "the object the server made is disposed by the server");
        }
    }
}
