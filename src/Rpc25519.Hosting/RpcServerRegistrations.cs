using Microsoft.Extensions.DependencyInjection;

namespace Rpc25519.Hosting;

/// <summary>What a hosted server serves: handler registrations run against the <see cref="RpcServer"/> before it
/// starts, and typed services resolved from dependency injection.</summary>
public sealed class RpcServerRegistrations
{
    internal List<Action<RpcServer, IServiceProvider>> Actions { get; } = [];

    /// <summary>Runs <paramref name="register"/> on the server before it starts (e.g. <c>RegisterCall</c>).</summary>
    /// <param name="register">Registers handlers; gets the server and the host's services.</param>
    public RpcServerRegistrations Configure(Action<RpcServer, IServiceProvider> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        Actions.Add(register);
        return this;
    }

    /// <summary>The container's registrations (set by <c>AddRpc25519Server</c>), to see each mapped service's
    /// lifetime; null for registrations made by hand, which then treat every service as a singleton.</summary>
    internal IServiceCollection? Services { get; init; }

    /// <summary>
    /// Serves the typed service <typeparamref name="TService"/> (its public methods, as
    /// <see cref="RpcServer.Register(object, string?)"/> does), taking it from dependency injection by its lifetime
    /// there: a singleton is resolved once when the server starts; a scoped or transient service gets a new scope per
    /// call (<see cref="RpcServer.RegisterScoped{TService}"/>), resolved in it, and the scope, with what it made, is
    /// disposed once the method has returned and its reply is encoded. With <paramref name="perCall"/> the service
    /// needs no registration: each call gets an object made with its constructor's dependencies from a new scope,
    /// disposed (if disposable) with that scope after the call.
    /// </summary>
    /// <param name="name">The service name; default the type's name.</param>
    /// <param name="perCall">Make an object per call with its constructor instead of resolving the registration.</param>
    public RpcServerRegistrations MapRpcService<TService>(string? name = null, bool perCall = false)
        where TService : class =>
        Configure((server, services) =>
        {
            ServiceLifetime? lifetime = perCall ? null : LifetimeOf(typeof(TService));
            if (perCall || lifetime is ServiceLifetime.Scoped or ServiceLifetime.Transient)
            {
                server.RegisterScoped(() => CallScope.Open<TService>(services, construct: perCall), name);
                return;
            }
            server.Register(services.GetService(typeof(TService)) as TService ?? throw new InvalidOperationException(
                $"MapRpcService<{typeof(TService).Name}>: the service is not registered in the container; add " +
                $"it with services.AddSingleton<{typeof(TService).Name}>() (or AddScoped for an object per call), " +
                "or map it with perCall: true."), name);
        });

    /// <summary>The lifetime of the last registration of <paramref name="serviceType"/> (the one the container
    /// resolves), or null when it is not registered or the registrations are unknown.</summary>
    private ServiceLifetime? LifetimeOf(Type serviceType) =>
        Services?.LastOrDefault(d => d.ServiceType == serviceType)?.Lifetime;
}
