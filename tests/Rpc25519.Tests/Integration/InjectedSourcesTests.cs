using Microsoft.Extensions.Time.Testing;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// The library takes time and randomness only from the config, which is what lets a simulator drive it: call timeouts
/// follow the injected clock, and call IDs follow the injected seed.
/// </summary>
public sealed class InjectedSourcesTests
{
    [Fact]
    public async Task Call_timeout_follows_the_configured_clock_not_the_wall_clock()
    {
        var waiter = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(waiter.Register);
        await using var _ = server;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using RpcClient client = await Loopback.ConnectAsync(port, c =>
        {
            c.TimeProvider = clock;
            c.DefaultCallTimeout = TimeSpan.FromMilliseconds(50);
        });

        Task<Message> call = client.CallAsync(Loopback.Request("wait"));
        await waiter.Started.Task.WaitAsync(Loopback.Patience);
        await Task.Delay(300);
        Assert.False(call.IsCompleted, "50 ms of wall-clock time must not time out a call on a stopped clock");

        clock.Advance(TimeSpan.FromMilliseconds(60));

        await Assert.ThrowsAsync<RpcTimeoutException>(() => call.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task Call_ids_follow_the_configured_seed()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;

        async Task<string[]> CallIdsWith(int seed)
        {
            await using RpcClient client = await Loopback.ConnectAsync(port, c => c.Random = new Random(seed));
            var ids = new string[3];
            for (int i = 0; i < ids.Length; i++)
            {
                Message request = Loopback.Request("echo");
                await client.CallAsync(request);
                ids[i] = request.Header.CallId;
            }
            return ids;
        }

        string[] first = await CallIdsWith(7);
        string[] again = await CallIdsWith(7);
        string[] other = await CallIdsWith(8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(first, id => Assert.Equal(28, id.Length));
    }
}
