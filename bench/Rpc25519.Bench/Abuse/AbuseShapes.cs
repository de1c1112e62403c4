using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Rpc;
using Rpc25519.Transport;

namespace Rpc25519.Bench.Abuse;

/// <summary>The loads of the abuse run, each a loop bounded by the run's stop token; all on loopback.</summary>
internal sealed class AbuseShapes(int port, string certs, CancellationToken stop)
{
    private string Address => $"127.0.0.1:{port}";

    public ConcurrentBag<double> LatenciesMs { get; } = [];

    public long GoodCalls;
    public long Mismatches;
    public long NeverCompleted;
    public long Churned;
    public long BombsSent;
    public long SlowReaderBytes;
    public long IdleSockets;

    private RpcOptions ClientOptions(CompressionAlgo compression = CompressionAlgo.None) => new()
    {
        ServerAddress = Address,
        Compression = compression,
        DefaultCallTimeout = TimeSpan.FromSeconds(10),
        Tls = { CertPath = certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
    };

    /// <summary>A good caller: unique random payloads, each reply checked against its request.</summary>
    public async Task GoodCallerAsync(int seed)
    {
        var random = new Random(seed);
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOptions());
        while (!stop.IsCancellationRequested)
        {
            byte[] payload = new byte[random.Next(16, 4096)];
            random.NextBytes(payload);
            var watch = Stopwatch.StartNew();
            try
            {
                Message reply = await client.CallAsync(new Message { Payload = payload, Header = { ServiceName = "echo" } });
                LatenciesMs.Add(watch.Elapsed.TotalMilliseconds);
                Interlocked.Increment(ref GoodCalls);
                if (!reply.Payload.AsSpan().SequenceEqual(payload))
                {
                    Interlocked.Increment(ref Mismatches);
                }
            }
            catch (RpcTimeoutException)
            {
                Interlocked.Increment(ref NeverCompleted);
            }
        }
    }

    /// <summary>Connects, makes one call, disconnects, over and over (a TLS handshake each time).</summary>
    public async Task ChurnerAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using RpcClient client = await RpcClient.ConnectAsync(ClientOptions());
                await client.CallAsync(new Message { Payload = [1], Header = { ServiceName = "echo" } });
                Interlocked.Increment(ref Churned);
            }
            catch (RpcException)
            {
                // Refused under load: the abuse is what is measured, not its success.
            }
        }
    }

    /// <summary>Keeps <paramref name="count"/> idle sockets open to the TLS port, reopening dropped ones.</summary>
    public async Task SlowlorisAsync(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                sockets.RemoveAll(s =>
                {
                    bool dropped = s.Poll(0, SelectMode.SelectRead);
                    if (dropped)
                    {
                        s.Dispose();
                    }
                    return dropped;
                });
                while (sockets.Count < count && !stop.IsCancellationRequested)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stop);
                    sockets.Add(socket);
                }
                Volatile.Write(ref IdleSockets, sockets.Count);
                await Task.Delay(200, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Sends 64 KiB echo requests over TLS and never reads a reply.</summary>
    public async Task SlowReaderAsync()
    {
        var transport = new TlsTransport(ClientOptions().Tls);
        await using IConnection connection = await transport.DialAsync(Address, stop);
        byte[] frame = EchoFrame(new byte[64 * 1024], CompressionAlgo.None);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await connection.Transport.Output.WriteAsync(frame, stop);
                Interlocked.Add(ref SlowReaderBytes, frame.Length);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends zstd requests of 8 MiB of zeros: a few hundred bytes on the wire each.</summary>
    public async Task BomberAsync()
    {
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOptions(CompressionAlgo.Zstd03));
        byte[] zeros = new byte[8 * 1024 * 1024];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await client.CallAsync(new Message { Payload = zeros, Header = { ServiceName = "echo" } }, stop);
                Interlocked.Increment(ref BombsSent);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
                return;
            }
        }
    }

    private static byte[] EchoFrame(byte[] payload, CompressionAlgo compression)
    {
        var request = new Message { Payload = payload, Header = { ServiceName = "echo", CallType = CallType.Call, SequenceNumber = 9, CallId = "slow-reader" } };
        var body = new PooledBufferWriter();
        MessageCodec.Encode(request, body);
        byte[] frame = new byte[FrameHeader.Size + body.WrittenCount];
        FrameHeader.Write(frame, (byte)compression, body.WrittenCount);
        body.WrittenSpan.CopyTo(frame.AsSpan(FrameHeader.Size));
        return frame;
    }
}
