using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Typed;

/// <summary><see cref="RpcServer.RegisterScoped{TService}"/>: each call runs on the object of its own scope, and the
/// scope is disposed after the method returns (or throws), before the reply is sent.</summary>
public sealed class ScopedRegistrationTests
{
    private sealed class Scope(int id, List<int> disposed) : IAsyncDisposable
    {
        public int Id { get; } = id;

        public ValueTask DisposeAsync()
        {
            lock (disposed)
            {
                disposed.Add(Id);
            }
            return ValueTask.CompletedTask;
        }
    }

    public sealed class Scoped(int id)
    {
        public Task<int> Which(int unused) => Task.FromResult(id);

        public Task<int> Fail(int unused) => throw new InvalidOperationException("failed in scope " + id);
    }

    [Fact]
    public async Task Each_call_gets_its_own_scope_disposed_before_the_reply_arrives()
    {
        var disposed = new List<int>();
        int opened = 0;
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterScoped(() =>
        {
            int id = Interlocked.Increment(ref opened);
            return (new Scoped(id), (IAsyncDisposable)new Scope(id, disposed));
        }));
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            int first = await client.CallAsync<int, int>("Scoped.Which", 0);
            Assert.Equal([first], disposed);
            int second = await client.CallAsync<int, int>("Scoped.Which", 0);
            Assert.NotEqual(first, second);
            var error = await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync<int, int>("Scoped.Fail", 0));
            Assert.Contains("failed in scope 3", error.Message, StringComparison.Ordinal);
            Assert.Equal([first, second, 3], disposed);
        }
    }

    [Fact]
    public async Task A_scope_that_cannot_be_opened_fails_only_that_call_with_its_reason()
    {
        bool broken = true;
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterScoped<Scoped>(() => broken
            ? throw new InvalidOperationException("no scope for you")
            : (new Scoped(7), new Scope(7, []))));
        await using (server)
        await using (RpcClient client = await Loopback.ConnectAsync(port))
        {
            var error = await Assert.ThrowsAsync<RemoteException>(() => client.CallAsync<int, int>("Scoped.Which", 0));
            Assert.Contains("no scope for you", error.Message, StringComparison.Ordinal);
            broken = false;
            Assert.Equal(7, await client.CallAsync<int, int>("Scoped.Which", 0));
        }
    }
}
