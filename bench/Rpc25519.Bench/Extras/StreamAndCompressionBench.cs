using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using Grpc.Core;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Streams;

namespace Rpc25519.Bench.Extras;

/// <summary>
/// Bulk streams (upload and download of 256 MiB in 64 KiB parts, ours vs gRPC client/server streaming, same run) and
/// a compression table (a generated mixed corpus uploaded once per compressor: MB/s end to end, and the ratio the
/// compressor reaches on the same parts).
/// </summary>
internal static class StreamAndCompressionBench
{
    private const int PartBytes = 64 * 1024;
    private const long BulkBytes = 256L * 1024 * 1024;
    private const int Parts = (int)(BulkBytes / PartBytes);

    public static async Task RunStreamsAsync()
    {
        Console.WriteLine();
        Console.WriteLine($"Bulk streams: {BulkBytes / (1024 * 1024)} MiB in {PartBytes / 1024} KiB parts, one connection, best of 2");
        await using var grpc = new GrpcStreamingHost();
        await grpc.StartAsync();
        await using RpcServer server = await StartServerAsync(CompressionAlgo.None);
        int port = ((IPEndPoint)ParseEndPoint(server.LocalAddress)).Port;
        await using RpcClient client = await RpcClient.ConnectAsync(new RpcOptions
        {
            ServerAddress = $"127.0.0.1:{port}", Transport = TransportKind.Tcp,
        });
        byte[] chunk = new byte[PartBytes];
        new Random(1).NextBytes(chunk);
        var invoker = grpc.Channel.CreateCallInvoker();

        double grpcUp = await BestOfAsync(async () =>
        {
            using var call = invoker.AsyncClientStreamingCall(StreamService.UploadMethod, null, default);
            for (int i = 0; i < Parts; i++)
            {
                await call.RequestStream.WriteAsync(chunk);
            }
            await call.RequestStream.CompleteAsync();
            Check(BitConverter.ToInt64(await call.ResponseAsync) == BulkBytes, "gRPC upload lost bytes");
        });
        double grpcDown = await BestOfAsync(async () =>
        {
            byte[] request = [.. BitConverter.GetBytes(PartBytes), .. BitConverter.GetBytes(Parts)];
            using var call = invoker.AsyncServerStreamingCall(StreamService.DownloadMethod, null, default, request);
            long total = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                total += call.ResponseStream.Current.Length;
            }
            Check(total == BulkBytes, "gRPC download lost bytes");
        });
        double oursUp = await BestOfAsync(() => UploadAsync(client, chunk, Parts));
        double oursDown = await BestOfAsync(async () =>
        {
            await using Downloader download = await client.BeginDownloadAsync("blob", new Message());
            long total = 0;
            await foreach (Message part in download.ReadAllAsync())
            {
                total += part.Payload.Length;
            }
            await download.Reply;
            Check(total == BulkBytes, "download lost bytes");
        });
        Console.WriteLine($"{"",-24} {"upload MB/s",12} {"download MB/s",14}");
        Console.WriteLine($"{"gRPC-dotnet streaming",-24} {grpcUp,12:N0} {grpcDown,14:N0}");
        Console.WriteLine($"{"Rpc25519 streams",-24} {oursUp,12:N0} {oursDown,14:N0}");
        Console.WriteLine($"{"upload: ours / gRPC",-56} {oursUp / grpcUp,8:N2}x  target >= 1.0");
        Console.WriteLine($"{"download: ours / gRPC",-56} {oursDown / grpcDown,8:N2}x  target >= 1.0");
    }

    public static async Task RunCompressionAsync()
    {
        const int corpusBytes = 48 * 1024 * 1024;
        const int corpusPart = 1024 * 1024;
        byte[] corpus = MixedCorpus(corpusBytes);
        Console.WriteLine();
        Console.WriteLine($"Compression: upload of a {corpusBytes / (1024 * 1024)} MiB mixed corpus (1/3 text, 1/3 structured " +
            "binary, 1/3 already compressed) in 1 MiB parts; ratio = compressed / original over the same parts");
        Console.WriteLine($"{"compressor",-12} {"MB/s",10} {"ratio",8}");
        foreach (CompressionAlgo algo in Enum.GetValues<CompressionAlgo>().Where(a => a != CompressionAlgo.NoSystemCompression))
        {
            await using RpcServer server = await StartServerAsync(algo);
            int port = ((IPEndPoint)ParseEndPoint(server.LocalAddress)).Port;
            await using RpcClient client = await RpcClient.ConnectAsync(new RpcOptions
            {
                ServerAddress = $"127.0.0.1:{port}", Transport = TransportKind.Tcp, Compression = algo,
            });
            // The ratio pass also warms the codec up (compress and decompress), so the timed upload runs jitted code.
            double ratio = Ratio(algo, corpus, corpusPart);
            var watch = Stopwatch.StartNew();
            await using (Uploader upload = await client.BeginUploadAsync("sink", new Message()))
            {
                for (int offset = 0; offset < corpus.Length; offset += corpusPart)
                {
                    await upload.SendAsync(new Message { Payload = corpus[offset..(offset + corpusPart)] });
                }
                Message reply = await upload.CompleteAsync(new Message());
                Check(reply.Header.Subject == corpus.Length.ToString(), "compressed upload lost bytes");
            }
            double mbps = corpus.Length / watch.Elapsed.TotalSeconds / 1e6;
            Console.WriteLine($"{CompressionNames.ToName(algo),-12} {mbps,10:N0} {ratio,8:N3}");
        }
    }

    private static double Ratio(CompressionAlgo algo, byte[] corpus, int partBytes)
    {
        if (algo == CompressionAlgo.None)
        {
            return 1;
        }
        long compressed = 0;
        var output = new Rpc.PooledBufferWriter();
        for (int offset = 0; offset < corpus.Length; offset += partBytes)
        {
            output.Reset();
            ReadOnlySpan<byte> part = corpus.AsSpan(offset, partBytes);
            int written = FrameCompressor.TryCompress(algo, part, output);
            compressed += written > 0 ? written : part.Length;
            if (written > 0)
            {
                byte[] back = FrameDecompressor.Decompress(algo, new System.Buffers.ReadOnlySequence<byte>(
                    output.WrittenMemory), partBytes, out int length);
                Check(length == partBytes && back.AsSpan(0, length).SequenceEqual(part), "codec round trip failed");
                System.Buffers.ArrayPool<byte>.Shared.Return(back);
            }
        }
        return (double)compressed / corpus.Length;
    }

    /// <summary>Deterministic corpus: log-like text, structured binary records, and gzip output (already compressed).</summary>
    private static byte[] MixedCorpus(int size)
    {
        var random = new Random(42);
        int third = size / 3;
        var text = new StringBuilder();
        string[] words = ["request", "reply", "server", "client", "timeout", "stream", "part", "error", "ok", "node"];
        while (text.Length < third)
        {
            text.Append("2026-11-27T08:").Append(random.Next(10, 60)).Append(' ').Append(words[random.Next(words.Length)])
                .Append(" id=").Append(random.Next(100_000)).Append(' ').Append(words[random.Next(words.Length)]).Append('\n');
        }
        byte[] textBytes = Encoding.UTF8.GetBytes(text.ToString())[..third];
        byte[] binary = new byte[third];
        for (int i = 0; i + 16 <= binary.Length; i += 16)
        {
            BitConverter.TryWriteBytes(binary.AsSpan(i), i / 16);
            BitConverter.TryWriteBytes(binary.AsSpan(i + 4), random.Next(1000));
            BitConverter.TryWriteBytes(binary.AsSpan(i + 8), 3.25 * (i % 1024));
        }
        var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            byte[] noise = new byte[1024];
            while (gz.Length < size - 2 * third)
            {
                random.NextBytes(noise.AsSpan(0, 512));
                gzip.Write(noise);
                gzip.Write(textBytes.AsSpan(random.Next(third - 4096), 2048));
            }
        }
        byte[] compressed = gz.ToArray()[..(size - 2 * third)];
        return [.. textBytes, .. binary, .. compressed];
    }

    private static async Task UploadAsync(RpcClient client, byte[] chunk, int parts)
    {
        await using Uploader upload = await client.BeginUploadAsync("sink", new Message { Payload = chunk });
        for (int i = 1; i < parts - 1; i++)
        {
            await upload.SendAsync(new Message { Payload = chunk });
        }
        Message reply = await upload.CompleteAsync(new Message { Payload = chunk });
        Check(reply.Header.Subject == ((long)parts * chunk.Length).ToString(), "upload lost bytes");
    }

    private static async Task<RpcServer> StartServerAsync(CompressionAlgo algo)
    {
        var server = new RpcServer(new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp, Compression = algo });
        server.RegisterUpload("sink", static async (parts, ct) =>
        {
            var reply = new Message();
            long total = 0;
            await foreach (Message part in parts.WithCancellation(ct))
            {
                total += part.Payload.Length;
            }
            reply.Header.Subject = total.ToString();
            return reply;
        });
        byte[] chunk = new byte[PartBytes];
        server.RegisterDownload("blob", async (request, sender, ct) =>
        {
            var reply = new Message();
            for (int i = 0; i < Parts; i++)
            {
                await sender.SendAsync(new Message { Payload = chunk }, last: i == Parts - 1, ct);
            }
            return reply;
        });
        await server.StartAsync();
        return server;
    }

    private static EndPoint ParseEndPoint(string address) => IPEndPoint.Parse(address["tcp://".Length..]);

    /// <summary>Runs twice, returns the better MB/s of the bulk size.</summary>
    private static async Task<double> BestOfAsync(Func<Task> run)
    {
        double best = 0;
        for (int i = 0; i < 2; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            best = Math.Max(best, BulkBytes / watch.Elapsed.TotalSeconds / 1e6);
        }
        return best;
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException(what);
        }
    }
}
