using System.Buffers.Binary;
using Rpc25519.Messages;
using Rpc25519.Streams;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Streams;

public sealed class StreamTests
{
    private static Message Part(int index, int size = 8)
    {
        byte[] payload = new byte[Math.Max(size, 4)];
        BinaryPrimitives.WriteInt32BigEndian(payload, index);
        return new Message { Payload = payload };
    }

    private static int IndexOf(Message part) => BinaryPrimitives.ReadInt32BigEndian(part.Payload);

    [Fact]
    public async Task An_upload_of_1000_parts_arrives_in_order_and_complete()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterUpload("collect",
            async (parts, ct) =>
            {
                var reply = new Message();
                int expected = 0;
                CallType lastType = CallType.None;
                await foreach (Message part in parts.WithCancellation(ct))
                {
                    if (part.Header.StreamPart != expected || IndexOf(part) != expected)
                    {
                        throw new InvalidOperationException($"part {part.Header.StreamPart} / {IndexOf(part)} at {expected}");
                    }
                    expected++;
                    lastType = part.Header.CallType;
                }
                reply.Header.Subject = $"{expected} {lastType}";
                return reply;
            }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        await using Uploader upload = await client.BeginUploadAsync("collect", Part(0));
        for (int i = 1; i < 999; i++)
        {
            await upload.SendAsync(Part(i, 1000));
        }
        Message reply = await upload.CompleteAsync(Part(999));
        Assert.Equal("", reply.Error);
        Assert.Equal($"1000 {CallType.UploadEnd}", reply.Header.Subject);
        Assert.Equal(upload.CallId, reply.Header.CallId);
        await Assert.ThrowsAsync<InvalidOperationException>(() => upload.SendAsync(Part(1000)));
    }

    [Fact]
    public async Task A_200_MiB_download_to_a_slow_consumer_keeps_memory_bounded()
    {
        const int partBytes = 64 * 1024;
        const int parts = 200 * 1024 * 1024 / partBytes;
        const long window = 1024 * 1024;
        byte[] chunk = new byte[partBytes];
        new Random(3).NextBytes(chunk);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterDownload("blob",
            async (request, sender, ct) =>
            {
                var reply = new Message();
                for (int i = 0; i < parts; i++)
                {
                    // The same bytes each time: the library never changes a payload, and it is not copied here.
                    await sender.SendAsync(new Message { Payload = chunk }, last: i == parts - 1, ct);
                }
                reply.Header.Subject = "done";
                return reply;
            }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.StreamWindowBytes = window);

        long bytes = 0;
        int count = 0;
        await using Downloader download = await client.BeginDownloadAsync("blob", new Message());
        await foreach (Message part in download.ReadAllAsync())
        {
            Assert.Equal(count, part.Header.StreamPart);
            bytes += part.Payload.Length;
            if (++count % 32 == 0)
            {
                await Task.Delay(1); // the slow consumer
            }
        }
        Message reply = await download.Reply;
        Assert.Equal("done", reply.Header.Subject);
        Assert.Equal(parts, count);
        Assert.Equal((long)parts * partBytes, bytes);
        Assert.InRange(download.MaxQueuedBytes, 1, window + partBytes + 256);
    }

    [Fact]
    public async Task A_bistream_echoes_while_both_directions_run()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterBistream("echo",
            async (uploads, sender, ct) =>
            {
                var reply = new Message();
                int n = 0;
                await foreach (Message part in uploads.WithCancellation(ct))
                {
                    bool last = part.Header.CallType == CallType.UploadEnd;
                    await sender.SendAsync(new Message { Payload = part.Payload }, last, ct);
                    n++;
                }
                reply.Header.Subject = n.ToString();
                return reply;
            }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        await using Bistreamer stream = await client.BeginBistreamAsync("echo", Part(0, 20_000));
        Task writer = Task.Run(async () =>
        {
            for (int i = 1; i < 299; i++)
            {
                await stream.SendAsync(Part(i, 20_000));
            }
            await stream.CompleteUploadAsync(Part(299));
        });
        int received = 0;
        await foreach (Message part in stream.ReadAllAsync())
        {
            Assert.Equal(received, IndexOf(part));
            Assert.Equal(received, part.Header.StreamPart);
            received++;
        }
        await writer;
        Assert.Equal(300, received);
        Assert.Equal("300", (await stream.Reply).Header.Subject);
    }

    [Fact]
    public async Task Cancelling_a_download_on_the_client_stops_the_server_promptly()
    {
        var stopped = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterDownload("endless",
            async (request, sender, ct) =>
            {
                try
                {
                    for (int i = 0; ; i++)
                    {
                        await sender.SendAsync(Part(i, 1000), cancellationToken: ct);
                    }
                }
                catch (Exception e)
                {
                    stopped.TrySetResult(e);
                    throw;
                }
            }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        using var cts = new CancellationTokenSource();
        await using Downloader download = await client.BeginDownloadAsync("endless", new Message());
        int read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (Message part in download.ReadAllAsync(cts.Token))
            {
                if (++read == 10)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.IsAssignableFrom<OperationCanceledException>(await stopped.Task.WaitAsync(Loopback.Patience));
        Assert.True(client.IsConnected);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => download.Reply);
    }

    [Fact]
    public async Task A_server_function_that_fails_mid_upload_stops_the_client_with_its_error()
    {
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterUpload("picky",
            async (parts, ct) =>
            {
                var reply = new Message();
                int n = 0;
                await foreach (Message part in parts.WithCancellation(ct))
                {
                    if (++n == 5)
                    {
                        throw new InvalidDataException("part 4 is not welcome");
                    }
                }
                return reply;
            }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        await using Uploader upload = await client.BeginUploadAsync("picky", Part(0));
        var error = await Assert.ThrowsAsync<RemoteException>(async () =>
        {
            for (int i = 1; ; i++)
            {
                await upload.SendAsync(Part(i, 10_000));
            }
        });
        Assert.Equal("part 4 is not welcome", error.RemoteMessage);
        var replyError = await Assert.ThrowsAsync<RemoteException>(() => upload.Reply);
        Assert.Equal("part 4 is not welcome", replyError.Reply!.Error);
    }

    [Fact]
    public async Task A_lost_connection_ends_open_streams_on_both_sides()
    {
        var serverSaw = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterBistream("hang",
            async (uploads, sender, ct) =>
            {
                var reply = new Message();
                try
                {
                    await sender.SendAsync(Part(0), cancellationToken: ct);
                    started.TrySetResult();
                    await foreach (Message part in uploads.WithCancellation(ct))
                    {
                    }
                }
                catch (Exception e)
                {
                    serverSaw.TrySetResult(e);
                    throw;
                }
                return reply;
            }));
        await using var _ = server;
        RpcClient client = await Loopback.ConnectAsync(port);
        RpcClient other = await Loopback.ConnectAsync(port);
        await using var _o = other;

        Bistreamer stream = await client.BeginBistreamAsync("hang", Part(0));
        await started.Task.WaitAsync(Loopback.Patience);
        Task<int> reading = Task.Run(async () =>
        {
            int n = 0;
            await foreach (Message part in stream.ReadAllAsync())
            {
                n++;
            }
            return n;
        });
        await client.DisposeAsync(); // the connection goes away mid-stream

        await Assert.ThrowsAsync<RpcConnectionClosedException>(() => reading);
        await Assert.ThrowsAsync<RpcConnectionClosedException>(() => stream.Reply);
        Exception seen = await serverSaw.Task.WaitAsync(Loopback.Patience);
        Assert.True(seen is RpcConnectionClosedException or OperationCanceledException, seen.ToString());
        Assert.True(other.IsConnected);
    }

    [Fact]
    public async Task An_unknown_stream_function_fails_the_stream_with_a_clear_error()
    {
        var (server, port) = await Loopback.StartServerAsync(_ => { });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        await using Downloader download = await client.BeginDownloadAsync("nope", new Message());
        var error = await Assert.ThrowsAsync<CallRejectedException>(() => download.Reply);
        Assert.Contains("No download (RegisterDownload) function is registered as 'nope'", error.Message);
    }

    [Fact]
    public async Task A_stream_nobody_reads_does_not_stall_other_calls_on_its_connection()
    {
        var sent = 0;
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            Loopback.Echo(s);
            s.RegisterDownload("flood", async (request, sender, ct) =>
            {
                var reply = new Message();
                for (int i = 0; i < 10_000; i++)
                {
                    await sender.SendAsync(Part(i, 64 * 1024), cancellationToken: ct);
                    Interlocked.Increment(ref sent);
                }
                return reply;
            });
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.StreamWindowBytes = 512 * 1024);
        await using Downloader download = await client.BeginDownloadAsync("flood", new Message());
        // The server spends its credit (4 parts of 64 KiB fill the initial 256 KiB) and then waits for more, which never
        // comes: nobody reads.
        await Peers.PeerHarness.Eventually(() => Volatile.Read(ref sent) >= 4, "the server to spend its credit");

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal($"still {i}", (await client.CallAsync(Loopback.Request("echo", $"still {i}"))).Text());
        }
        // Not read at all: the server got no further than the window lets it (512 KiB of 64 KiB parts).
        Assert.InRange(Volatile.Read(ref sent), 1, 9);
    }
}
