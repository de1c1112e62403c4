using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rpc25519.Tube.Client;

namespace Rpc25519.Tube.Etcd;

/// <summary>
/// An etcd v3 gRPC endpoint over a Tube cluster: etcd's KV (Range, Put, DeleteRange, Txn), Lease (Grant, Revoke,
/// KeepAlive, TimeToLive) and Watch services, plus Cluster.MemberList and Maintenance.Status, served by Kestrel on
/// plain HTTP/2. etcd keys are the keys of one Tube table (<see cref="EtcdEndpointOptions.Table"/>); revisions are
/// Tube log indexes; a lease is a Tube session. docs/tube-etcd.md has the whole mapping and what is left out.
/// </summary>
/// <example>
/// <code>
/// await using var etcd = await EtcdEndpoint.StartAsync(tubeClient,
///     new EtcdEndpointOptions { ListenAddress = "127.0.0.1:2379" });
/// // ETCDCTL_API=3 etcdctl --endpoints=127.0.0.1:2379 put greeting hello
/// </code>
/// </example>
public sealed class EtcdEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ILogger logger;
    private int disposed;

    private EtcdEndpoint(WebApplication app, string address, ILogger logger)
    {
        this.app = app;
        Address = address;
        this.logger = logger;
    }

    /// <summary>The address the endpoint listens on, <c>host:port</c> (with the port picked when 0 was asked).</summary>
    public string Address { get; }

    /// <summary>Starts serving. The endpoint uses <paramref name="client"/> for every call and does not dispose
    /// it.</summary>
    /// <param name="client">The Tube client the calls go through (its session carries the writes).</param>
    /// <param name="options">Where to listen and which table; validated here.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running endpoint.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="IOException">The address cannot be bound (in use, or not an address of this host).</exception>
    public static async Task<EtcdEndpoint> StartAsync(TubeClient client, EtcdEndpointOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        IPEndPoint listen = ParseListenAddress(options.ListenAddress);
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        ILogger logger = loggerFactory.CreateLogger<EtcdEndpoint>();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listen, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRouting();
        builder.Services.AddGrpc();
        var address = new EtcdEndpointAddress();
        builder.Services.AddSingleton(address);
        var backend = new EtcdBackend(client, options, logger)
        {
            Term = (await client.GetStatusAsync(cancellationToken: cancellationToken)).Term,
        };
        builder.Services.AddSingleton(backend);
        WebApplication app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<KvService>();
        app.MapGrpcService<LeaseService>();
        app.MapGrpcService<WatchService>();
        app.MapGrpcService<ClusterService>();
        app.MapGrpcService<MaintenanceService>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync();
            throw new IOException(
                $"The etcd endpoint cannot listen on {options.ListenAddress}: {e.Message}. Pick a free port on an " +
                "address of this host (127.0.0.1 by default).", e);
        }

        string bound = BoundAddress(app, listen);
        address.Value = bound;
        EtcdLog.Started(logger, options.Table, bound);
        return new EtcdEndpoint(app, bound, logger);
    }

    /// <summary>Stops serving; calls in flight are cancelled.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        EtcdLog.Stopped(logger, Address);
    }

    /// <summary>Reads <c>host:port</c> (an IP address, or "localhost" for 127.0.0.1).</summary>
    internal static IPEndPoint ParseListenAddress(string? text)
    {
        int colon = text?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(text![(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > 65535)
        {
            throw new ArgumentException(
                $"The etcd listen address must be host:port, e.g. 127.0.0.1:2379; got '{text}'.", nameof(text));
        }

        string host = text[..colon].Trim('[', ']');
        IPAddress ip = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new ArgumentException(
                $"The etcd listen host must be an IP address (or localhost), e.g. 127.0.0.1:2379; got '{host}'.",
                nameof(text));
        return new IPEndPoint(ip, port);
    }

    private static string BoundAddress(WebApplication app, IPEndPoint listen)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        string? url = addresses?.Addresses.FirstOrDefault();
        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return new IPEndPoint(listen.Address, uri.Port).ToString();
        }

        return listen.ToString();
    }
}
