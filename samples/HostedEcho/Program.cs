// A server and a client in the generic host: options from appsettings.json, a handler and a typed service from the
// container, the server started and stopped with the host, and a client factory that reconnects.
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rpc25519;
using Rpc25519.Hosting;
using Rpc25519.Messages;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton<Clock>();
builder.Services.AddRpc25519Server(builder.Configuration.GetSection("Rpc"))
    .Configure((server, _) => server.RegisterCall("greet", (request, _) => ValueTask.FromResult(new Message
    {
        Payload = Encoding.UTF8.GetBytes("hello, " + Encoding.UTF8.GetString(request.Payload)),
    })))
    .MapRpcService<Clock>();
builder.Services.AddRpc25519Client(builder.Configuration.GetSection("RpcClient"));

using IHost host = builder.Build();
await host.StartAsync();
RpcClient client = await host.Services.GetRequiredService<RpcClientFactory>().GetClientAsync();
Message reply = await client.CallAsync(new Message { Payload = "host"u8.ToArray(), Header = { ServiceName = "greet" } });
Console.WriteLine(Encoding.UTF8.GetString(reply.Payload));
Console.WriteLine($"the server's clock says {await client.CallAsync<string, string>("Clock.Now", "utc")}");
await host.StopAsync();

/// <summary>A typed service resolved from the container.</summary>
internal sealed class Clock(TimeProvider? time = null)
{
    public Task<string> Now(string zone) => Task.FromResult($"{(time ?? TimeProvider.System).GetUtcNow():O} ({zone})");
}
