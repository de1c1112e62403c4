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
    /// <see cref="RpcServer.Register"/> does), resolved once from dependency injection when the server starts: register
    /// it in the container as a singleton, or as anything the root provider can resolve.
    /// </summary>
    /// <param name="name">The service name; default the type's name.</param>
    public RpcServerRegistrations MapRpcService<TService>(string? name = null) where TService : class =>
        Configure((server, services) => server.Register(
            services.GetService(typeof(TService)) as TService ?? throw new InvalidOperationException(
                $"MapRpcService<{typeof(TService).Name}>: the service is not registered in the container; add it " +
                $"with services.AddSingleton<{typeof(TService).Name}>()."), name));
}
