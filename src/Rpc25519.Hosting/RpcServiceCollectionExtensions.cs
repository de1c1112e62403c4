using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rpc25519.Hosting;

/// <summary>Registers Rpc25519 servers and clients in an <see cref="IServiceCollection"/>.</summary>
public static class RpcServiceCollectionExtensions
{
    /// <summary>The options name of the hosted server's <see cref="RpcOptions"/>.</summary>
    public const string ServerOptionsName = "Rpc25519.Server";

    /// <summary>The options name of the client factory's <see cref="RpcOptions"/>.</summary>
    public const string ClientOptionsName = "Rpc25519.Client";

    /// <summary>
    /// Adds an <see cref="RpcServer"/> that starts and stops with the host (<see cref="RpcServerHostedService"/>). Its
    /// options are bound from <paramref name="configuration"/> (e.g. <c>builder.Configuration.GetSection("Rpc")</c>,
    /// with the sections <c>Tls</c>, <c>PreSharedKey</c> and <c>Peers</c>) and then changed by
    /// <paramref name="configure"/>; they are validated when the host starts.
    /// </summary>
    /// <returns>Where to register what the server serves (handlers, typed services from the container).</returns>
    public static RpcServerRegistrations AddRpc25519Server(this IServiceCollection services,
        IConfiguration? configuration = null, Action<RpcOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RpcOptions> options = services.AddOptions<RpcOptions>(ServerOptionsName);
        if (configuration is not null)
        {
            options.Bind(configuration);
        }
        if (configure is not null)
        {
            options.Configure(configure);
        }
        var registrations = new RpcServerRegistrations { Services = services };
        services.AddSingleton(registrations);
        services.AddSingleton<RpcServerHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<RpcServerHostedService>());
        return registrations;
    }

    /// <summary>
    /// Adds a shared <see cref="RpcClientFactory"/>: it hands out a connected <see cref="RpcClient"/> and reconnects
    /// with back-off when the connection drops. Options are bound and configured as for the server.
    /// </summary>
    public static IServiceCollection AddRpc25519Client(this IServiceCollection services,
        IConfiguration? configuration = null, Action<RpcOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RpcOptions> options = services.AddOptions<RpcOptions>(ClientOptionsName);
        if (configuration is not null)
        {
            options.Bind(configuration);
        }
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.AddSingleton(provider => new RpcClientFactory(
            provider.GetRequiredService<IOptionsMonitor<RpcOptions>>().Get(ClientOptionsName),
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
