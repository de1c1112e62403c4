using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rpc25519.Hosting;

/// <summary>
/// Starts an <see cref="RpcServer"/> with the host and stops it with the host: options come from
/// <see cref="IOptions{RpcOptions}"/> (bound from configuration) and are validated when the server is made, so a bad
/// setting stops the host at start with a message naming it; stopping gives running handlers the server's
/// <see cref="RpcOptions.ShutdownGracePeriod"/> or the host's shutdown token, whichever ends first.
/// </summary>
public sealed class RpcServerHostedService : IHostedService, IAsyncDisposable
{
    private readonly RpcOptions _options;
    private readonly RpcServerRegistrations _registrations;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private RpcServer? _server;

    /// <summary>Made by the container (see <see cref="RpcServiceCollectionExtensions.AddRpc25519Server"/>).</summary>
    /// <param name="options">The server's options, named <see cref="RpcServiceCollectionExtensions.ServerOptionsName"/>.</param>
    /// <param name="registrations">What the server serves.</param>
    /// <param name="services">The host's services, for typed services and handlers.</param>
    /// <param name="loggerFactory">The host's logging; used by the server unless its options name another.</param>
    public RpcServerHostedService(IOptionsMonitor<RpcOptions> options, RpcServerRegistrations registrations,
        IServiceProvider services, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Get(RpcServiceCollectionExtensions.ServerOptionsName).Clone();
        _registrations = registrations;
        _services = services;
        _logger = loggerFactory.CreateLogger<RpcServerHostedService>();
        if (ReferenceEquals(_options.LoggerFactory, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance))
        {
            _options.LoggerFactory = loggerFactory;
        }
    }

    /// <summary>The running server, once started.</summary>
    public RpcServer Server => _server ?? throw new InvalidOperationException("The RPC server has not started yet.");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = new RpcServer(_options);
        foreach (Action<RpcServer, IServiceProvider> register in _registrations.Actions)
        {
            register(server, _services);
        }
        await server.StartAsync(cancellationToken);
        _server = server;
        HostingLog.ServerStarted(_logger, server.LocalAddress);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not { } server)
        {
            return;
        }
        _server = null;
        await server.DisposeAsync().AsTask().WaitAsync(cancellationToken);
        HostingLog.ServerStopped(_logger, server.LocalAddress);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }
}
