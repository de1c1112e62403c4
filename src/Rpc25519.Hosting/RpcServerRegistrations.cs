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

    /// <summary>
    /// Serves the typed service <typeparamref name="TService"/> (its public methods, as
    /// <see cref="RpcServer.Register(object, string?)"/> does). By default it is resolved once from dependency
    /// injection when the server starts (register it as a singleton); with <paramref name="perCall"/> every call gets
    /// a fresh object made with its constructor's dependencies from the container (not tracked by the container, so
    /// nothing accumulates; the server does not dispose it, so a per-call service should not own disposables).
    /// </summary>
    /// <param name="name">The service name; default the type's name.</param>
    /// <param name="perCall">Make an object per call instead of sharing one.</param>
    public RpcServerRegistrations MapRpcService<TService>(string? name = null, bool perCall = false)
        where TService : class =>
        perCall
            ? Configure((server, services) => server.Register(
                () => Microsoft.Extensions.DependencyInjection.ActivatorUtilities
                    .CreateInstance<TService>(services), name))
            : Configure((server, services) => server.Register(
                services.GetService(typeof(TService)) as TService ?? throw new InvalidOperationException(
                    $"MapRpcService<{typeof(TService).Name}>: the service is not registered in the container; add " +
                    $"it with services.AddSingleton<{typeof(TService).Name}>(), or map it with perCall: true."),
                name));
}
