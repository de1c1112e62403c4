using Rpc25519.Messages;
using Rpc25519.Tests.Typed;

namespace Rpc25519.Tests.Integration;

/// <summary>Deadlines beyond what a timer can hold mean "no deadline" in effect (issue 11, defects 5 and 8).</summary>
public sealed class FarDeadlineTests
{
    public static TheoryData<double> FarDays => new() { 50, 61, 365 * 100 };

    [Theory]
    [MemberData(nameof(FarDays))]
    public async Task A_call_with_a_far_deadline_is_answered(double days)
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        Message request = Loopback.Request("echo", "far");
        request.Header.Deadline = DateTimeOffset.UtcNow.AddDays(days);

        Message reply = await client.CallAsync(request).WaitAsync(Loopback.Patience);

        Assert.Equal("far", reply.Text());
    }

    [Fact]
    public async Task The_largest_deadline_there_is_is_answered_too()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        for (int i = 0; i < 3; i++)
        {
            Message request = Loopback.Request("echo", "max");
            request.Header.Deadline = DateTimeOffset.MaxValue;
            Assert.Equal("max", (await client.CallAsync(request).WaitAsync(Loopback.Patience)).Text());
        }
    }

    [Fact]
    public async Task Typed_calls_take_an_infinite_timeout_as_none_and_refuse_zero_or_negative()
    {
        var (server, client, _) = await TypedCallTests.StartAsync();
        await using var _s = server;
        await using var _c = client;

        int product = await client.CallAsync<Args, int>("Arith.Multiply", new Args(6, 7), Timeout.InfiniteTimeSpan)
            .WaitAsync(Loopback.Patience);
        int far = await client.CallAsync<Args, int>("Arith.Multiply", new Args(2, 3), TimeSpan.FromDays(3650))
            .WaitAsync(Loopback.Patience);

        Assert.Equal((42, 6), (product, far));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => client.CallAsync<Args, int>("Arith.Multiply", new Args(1, 1), TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => client.CallAsync<Args, int>("Arith.Multiply", new Args(1, 1), TimeSpan.FromSeconds(-5)));
    }
}
