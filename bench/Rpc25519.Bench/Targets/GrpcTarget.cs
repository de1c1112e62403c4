using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Rpc25519.Bench.Targets;

/// <summary>
/// The baseline: gRPC-dotnet, Kestrel with HTTP/2 cleartext (h2c) and Grpc.Net.Client with one channel. The payload
/// is passed through as raw bytes (no protobuf), which favours gRPC slightly.
/// </summary>
internal sealed class GrpcTarget : IEchoTarget
{
    private WebApplication? _app;
    private string _address = "";

    public const string TargetName = "gRPC-dotnet (h2c)";

    public string Name => TargetName;

    public bool SupportsConcurrentCallers => true;

    public async Task StartAsync() =>
        (_app, _address) = await GrpcKestrel.StartAsync<EchoService>(options => options.MaxReceiveMessageSize = 16 * 1024 * 1024);

    public Task<IEchoClient> ConnectAsync()
    {
        return Task.FromResult<IEchoClient>(new Client(GrpcKestrel.Channel(_address)));
    }

    public ValueTask DisposeAsync() => GrpcKestrel.StopAsync(_app);

    private sealed class Client(GrpcChannel channel) : IEchoClient
    {
        private readonly CallInvoker _invoker = channel.CreateCallInvoker();

        public async ValueTask EchoAsync(byte[] payload)
        {
            byte[] reply = await _invoker.AsyncUnaryCall(EchoService.EchoMethod, null, default, payload);
            if (reply.Length != payload.Length)
            {
                throw new InvalidOperationException("gRPC echo returned the wrong length");
            }
        }

        public ValueTask DisposeAsync()
        {
            channel.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The gRPC echo service, bound by hand (what protoc would generate for one unary bytes method).</summary>
[BindServiceMethod(typeof(EchoService), nameof(BindService))]
public class EchoService
{
    /// <summary>The one unary method: bytes in, the same bytes out.</summary>
    public static readonly Method<byte[], byte[]> EchoMethod = new(
        MethodType.Unary, "bench.Echo", "Echo",
        Marshallers.Create(static b => b, static b => b),
        Marshallers.Create(static b => b, static b => b));

    public virtual Task<byte[]> Echo(byte[] request, ServerCallContext context) => Task.FromResult(request);

    public static void BindService(ServiceBinderBase binder, EchoService? service) =>
        binder.AddMethod(EchoMethod,
            service is null ? null : new UnaryServerMethod<byte[], byte[]>(service.Echo));
}
