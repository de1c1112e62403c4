using Microsoft.Extensions.DependencyInjection;

namespace Rpc25519.Hosting;

/// <summary>The dependency-injection scope of one typed call: disposing it disposes the object made for the call when
/// the container does not own it (a <c>perCall</c> object made by <see cref="ActivatorUtilities"/>), then the scope
/// and with it the scoped and transient services resolved in it.</summary>
internal sealed class CallScope(AsyncServiceScope scope, object? owned) : IAsyncDisposable
{
    /// <summary>Opens a scope and takes <typeparamref name="TService"/> from it: from its registration, or made with
    /// its constructor's dependencies from the scope when <paramref name="construct"/> is set.</summary>
    public static (TService Service, IAsyncDisposable Scope) Open<TService>(IServiceProvider services, bool construct)
        where TService : class
    {
        AsyncServiceScope scope = services.CreateAsyncScope();
        try
        {
            TService service = construct
                ? ActivatorUtilities.CreateInstance<TService>(scope.ServiceProvider)
                : scope.ServiceProvider.GetRequiredService<TService>();
            return (service, new CallScope(scope, construct ? service : null));
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (owned is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (owned is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
        finally
        {
            await scope.DisposeAsync();
        }
    }
}
