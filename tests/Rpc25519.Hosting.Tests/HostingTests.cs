using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rpc25519.Messages;

namespace Rpc25519.Hosting.Tests;

public sealed record Sum(int A, int B);

/// <summary>A typed service the container makes; counts how often it was made.</summary>
public sealed class Adder
{
    public static int Made;

    public Adder() => Interlocked.Increment(ref Made);

    public Task<int> Add(Sum sum) => Task.FromResult(sum.A + sum.B);
}

public sealed class HostingTests
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    internal static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>A server section and a client section that meet on <paramref name="port"/> over plain TCP.</summary>
    internal static Dictionary<string, string?> LoopbackSettings(int port) => new()
    {
        ["Rpc:ListenAddress"] = $"127.0.0.1:{port}",
        ["Rpc:Transport"] = "Tcp",
        ["RpcClient:ServerAddress"] = $"127.0.0.1:{port}",
        ["RpcClient:Transport"] = "Tcp",
    };

    internal static IHost BuildHost(Dictionary<string, string?> settings, Action<RpcServerRegistrations>? serve = null,
        Action<IServiceCollection>? register = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<Adder>();
        register?.Invoke(builder.Services);
        RpcServerRegistrations registrations = builder.Services.AddRpc25519Server(builder.Configuration.GetSection("Rpc"));
        serve?.Invoke(registrations);
        builder.Services.AddRpc25519Client(builder.Configuration.GetSection("RpcClient"));
        return builder.Build();
    }

    [Fact]
    public async Task A_server_from_configuration_starts_with_the_host_serves_handlers_and_typed_services_and_stops()
    {
        int port = FreePort();
        using IHost host = BuildHost(LoopbackSettings(port), serve => serve
            .Configure((server, _) => server.RegisterCall("hello", (request, _) => ValueTask.FromResult(new Message
            {
                Payload = Encoding.UTF8.GetBytes("hello " + Encoding.UTF8.GetString(request.Payload)),
            })))
            .MapRpcService<Adder>());
        int madeBefore = Adder.Made;

        await host.StartAsync().WaitAsync(Patience);
        RpcClient client = await host.Services.GetRequiredService<RpcClientFactory>().GetClientAsync()
            .WaitAsync(Patience);
        Message reply = await client.CallAsync(new Message { Payload = "host"u8.ToArray(), Header = { ServiceName = "hello" } });
        int sum = await client.CallAsync<Sum, int>("Adder.Add", new Sum(2, 3));

        Assert.Equal("hello host", Encoding.UTF8.GetString(reply.Payload));
        Assert.Equal(5, sum);
        Assert.Equal(madeBefore + 1, Adder.Made);
        await host.StopAsync().WaitAsync(Patience);
        await Assert.ThrowsAnyAsync<RpcException>(() => client.CallAsync(
            new Message { Payload = "x"u8.ToArray(), Header = { ServiceName = "hello" } }).WaitAsync(Patience));
    }

    [Fact]
    public async Task A_per_call_service_gets_a_fresh_object_for_every_call()
    {
        int port = FreePort();
        using IHost host = BuildHost(LoopbackSettings(port),
            serve => serve.MapRpcService<Adder>("PerCallAdder", perCall: true));
        await host.StartAsync().WaitAsync(Patience);
        int madeBefore = Adder.Made;
        RpcClient client = await host.Services.GetRequiredService<RpcClientFactory>().GetClientAsync();

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i + 1, await client.CallAsync<Sum, int>("PerCallAdder.Add", new Sum(i, 1)));
        }

        Assert.True(Adder.Made - madeBefore >= 3, $"{Adder.Made - madeBefore} objects for 3 calls");
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task A_bad_setting_stops_the_host_at_start_naming_it()
    {
        using IHost host = BuildHost(new()
        {
            ["Rpc:ListenAddress"] = "127.0.0.1:0",
            ["Rpc:Transport"] = "Tcp",
            ["Rpc:MaxFrameBytes"] = "10",
        });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync());

        Assert.Contains("MaxFrameBytes", error.Message);
    }

    [Fact]
    public async Task MapRpcService_of_a_service_missing_from_the_container_says_how_to_add_it()
    {
        using IHost host = BuildHost(new()
        {
            ["Rpc:ListenAddress"] = "127.0.0.1:0",
            ["Rpc:Transport"] = "Tcp",
        }, serve => serve.MapRpcService<HostingTests>());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("AddSingleton<HostingTests>", error.Message);
    }

    [Fact]
    public async Task The_client_factory_reconnects_after_the_server_comes_back()
    {
        int port = FreePort();
        Dictionary<string, string?> settings = LoopbackSettings(port);
        using IHost first = BuildHost(settings, serve => serve.Configure((server, _) =>
            server.RegisterCall("echo", (request, _) => ValueTask.FromResult(request))));
        await first.StartAsync().WaitAsync(Patience);
        var factory = new RpcClientFactory(new RpcOptions { ServerAddress = $"127.0.0.1:{port}", Transport = TransportKind.Tcp });
        await using var _ = factory;
        RpcClient before = await factory.GetClientAsync().WaitAsync(Patience);
        Assert.True(before.IsConnected);

        await first.StopAsync().WaitAsync(Patience);
        await before.Disconnected.WaitHandle.WaitOneAsync(Patience);
        using IHost second = BuildHost(settings, serve => serve.Configure((server, _) =>
            server.RegisterCall("echo", (request, _) => ValueTask.FromResult(request))));
        await second.StartAsync().WaitAsync(Patience);
        RpcClient after = await factory.GetClientAsync().WaitAsync(Patience);

        Assert.NotSame(before, after);
        Assert.Equal(2, factory.Connects);
        Message reply = await after.CallAsync(new Message { Payload = [7], Header = { ServiceName = "echo" } });
        Assert.Equal([7], reply.Payload);
        await second.StopAsync().WaitAsync(Patience);
    }
}

internal static class WaitHandleExtensions
{
    /// <summary>Waits for a wait handle without blocking a thread.</summary>
    public static Task WaitOneAsync(this WaitHandle handle, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RegisteredWaitHandle registration = ThreadPool.RegisterWaitForSingleObject(handle,
            (_, timedOut) => done.TrySetResult(), null, timeout, executeOnlyOnce: true);
        return done.Task.ContinueWith(_ => registration.Unregister(null), TaskScheduler.Default);
    }
}
