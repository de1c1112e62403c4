using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rpc25519.Bench.Targets;

/// <summary>
/// Hosts one gRPC service on Kestrel, HTTP/2 cleartext on a free loopback port, with logging off. HTTP/2's flow-control
/// windows are raised to the window our streams use by default (<see cref="RpcOptions.StreamWindowBytes"/>), so
/// bulk figures compare the two systems, not their defaults (Kestrel's are 1 MiB per connection, 768 KiB per stream).
/// </summary>
internal static class GrpcKestrel
{
    /// <summary>The HTTP/2 window both ends of the gRPC baseline use: our streams' default window.</summary>
    public static readonly int WindowBytes = (int)new RpcOptions().StreamWindowBytes;

    /// <summary>A channel to <paramref name="address"/> whose HTTP/2 stream window is <see cref="WindowBytes"/>.</summary>
    public static Grpc.Net.Client.GrpcChannel Channel(string address) => Grpc.Net.Client.GrpcChannel.ForAddress(address,
        new Grpc.Net.Client.GrpcChannelOptions
        {
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            HttpHandler = new System.Net.Http.SocketsHttpHandler { InitialHttp2StreamWindowSize = WindowBytes },
        });

    public static async Task<(WebApplication App, string Address)> StartAsync<TService>(
        Action<GrpcServiceOptions>? configure = null) where TService : class
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.InitialConnectionWindowSize = WindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = WindowBytes;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(options => configure?.Invoke(options));
        WebApplication app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public static async ValueTask StopAsync(WebApplication? app)
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
