using System.CommandLine;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Etcd;
using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tools.Tube;

/// <summary>tube's <c>-etcd ADDR</c>: serve the etcd v3 API (Rpc25519.Tube.Etcd) beside the replica, through a
/// TubeClient that tries this replica first.</summary>
internal static class TubeEtcdOption
{
    public static Option<string?> Create() => new("-etcd")
    {
        Description = "also serve the etcd v3 API (KV, Lease, Watch) on this host:port, e.g. 127.0.0.1:2379 " +
            "(plain HTTP/2: bind it to loopback or a trusted network); etcd keys live in the table \"etcd\"",
    };

    /// <summary>Checks the address before the replica starts; null when it is fine (or not given).</summary>
    public static string? Check(string? address) => address is null ? null : CheckGiven(address);

    /// <summary>Starts the endpoint when <paramref name="address"/> is given; dispose the result to stop it.</summary>
    /// <remarks>The etcd library (and ASP.NET Core under it) is touched only when -etcd is given: the methods that
    /// use it are not inlined, so a process without the ASP.NET Core framework can run tube without -etcd.</remarks>
    public static Task<IAsyncDisposable?> StartAsync(string? address, TubeConfig config, TubeReplica replica,
        ILoggerFactory logging, TextWriter output, CancellationToken cancellationToken) =>
        address is null
            ? Task.FromResult<IAsyncDisposable?>(null)
            : StartGivenAsync(address, config, replica, logging, output, cancellationToken);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? CheckGiven(string address)
    {
        try
        {
            new EtcdEndpointOptions { ListenAddress = address }.Validate();
            return null;
        }
        catch (ArgumentException e)
        {
            return $"tube: -etcd: {e.Message}";
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<IAsyncDisposable?> StartGivenAsync(string address, TubeConfig config, TubeReplica replica,
        ILoggerFactory logging, TextWriter output, CancellationToken cancellationToken)
    {
        var members = new List<string> { replica.Address };
        members.AddRange(config.Node2Addr.Values.Where(a => a != replica.Address));
        var client = new TubeClient(new TubeClientOptions
        {
            Members = members, Rpc = config.RpcCfg.Clone(), KeepAliveInterval = TimeSpan.FromSeconds(30),
        });
        try
        {
            var endpoint = await EtcdEndpoint.StartAsync(client, new EtcdEndpointOptions
            {
                ListenAddress = address, ClusterId = TubeConfig.NodeIdOf(config.ClusterID), MemberId = replica.NodeId,
                LoggerFactory = logging,
            }, cancellationToken);
            output.WriteLine($"tube: etcd v3 API at {endpoint.Address} (ETCDCTL_API=3 etcdctl --endpoints={endpoint.Address})");
            return new Running(endpoint, client);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private sealed class Running(EtcdEndpoint endpoint, TubeClient client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await endpoint.DisposeAsync();
            await client.DisposeAsync();
        }
    }
}
