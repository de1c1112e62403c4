using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Rpc25519.Bench.Targets;

namespace Rpc25519.Bench.Extras;

/// <summary>gRPC-dotnet (h2c) serving a client-streaming upload and a server-streaming download of raw byte chunks:
/// the baseline for the bulk stream measurements.</summary>
internal sealed class GrpcStreamingHost : IAsyncDisposable
{
    private WebApplication? _app;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task StartAsync()
    {
        (_app, string address) = await GrpcKestrel.StartAsync<StreamService>();
        Channel = GrpcKestrel.Channel(address);
    }

    public ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        return GrpcKestrel.StopAsync(_app);
    }
}

/// <summary>The streaming service, bound by hand like <c>EchoService</c>.</summary>
[BindServiceMethod(typeof(StreamService), nameof(BindService))]
public class StreamService
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    /// <summary>Client streaming: chunks in, their total length (8 bytes) out.</summary>
    public static readonly Method<byte[], byte[]> UploadMethod = new(MethodType.ClientStreaming, "bench.Stream", "Upload",
        Bytes, Bytes);

    /// <summary>Server streaming: a request naming chunk size and count, chunks out.</summary>
    public static readonly Method<byte[], byte[]> DownloadMethod = new(MethodType.ServerStreaming, "bench.Stream",
        "Download", Bytes, Bytes);

    public virtual async Task<byte[]> Upload(IAsyncStreamReader<byte[]> requests, ServerCallContext context)
    {
        long total = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            total += requests.Current.Length;
        }
        return BitConverter.GetBytes(total);
    }

    public virtual async Task Download(byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        int size = BitConverter.ToInt32(request, 0);
        int count = BitConverter.ToInt32(request, 4);
        byte[] chunk = new byte[size];
        for (int i = 0; i < count; i++)
        {
            await responses.WriteAsync(chunk, context.CancellationToken);
        }
    }

    public static void BindService(ServiceBinderBase binder, StreamService? service)
    {
        binder.AddMethod(UploadMethod, service is null ? null : new ClientStreamingServerMethod<byte[], byte[]>(service.Upload));
        binder.AddMethod(DownloadMethod,
            service is null ? null : new ServerStreamingServerMethod<byte[], byte[]>(service.Download));
    }
}
