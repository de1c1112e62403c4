using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rpc25519.Messages;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// The outgoing half of the link to one peer replica: a bounded queue of encoded Raft messages drained by one send
/// loop over an <see cref="RpcClient"/>, sent as one-way messages. It reconnects after a failure with a short
/// back-off. When the queue is full the oldest message is dropped: Raft treats that as message loss and resends.
/// <para>Fast path: when the link is connected, nothing is queued and no send is running, <see cref="Send"/> writes
/// the message itself, on the caller's thread (the host loop), instead of waking the send loop: one thread hop less
/// for each append and each acknowledgement, which a one-caller write pays four times. One send right
/// (<c>sendRight</c>) keeps the two paths from overlapping, so messages leave in the order they were given.</para>
/// </summary>
internal sealed class PeerLink : IAsyncDisposable
{
    private readonly ulong selfId;
    private readonly ulong peerId;
    private readonly string address;
    private readonly RpcOptions rpc;
    private readonly ILogger logger;
    private readonly TimeSpan backOff;
    private readonly Channel<byte[]> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    /// <summary>Held by whoever is sending: the send loop for a whole drain, or <see cref="Send"/> for one message.</summary>
    private readonly SemaphoreSlim sendRight = new(1, 1);

    /// <summary>The send loop's client while it is connected and idle (null while connecting or after a failure), for
    /// the fast path.</summary>
    private RpcClient? connected;

    public PeerLink(ulong selfId, ulong peerId, string address, RpcOptions rpc, ILogger logger, int capacity,
        TimeSpan backOff)
    {
        this.selfId = selfId;
        this.peerId = peerId;
        this.address = address;
        this.rpc = rpc;
        this.logger = logger;
        this.backOff = backOff;
        queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true,
        });
        loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach,
            rpc.TaskScheduler).Unwrap();
    }

    public void Send(byte[] encoded)
    {
        if (Volatile.Read(ref connected) is { IsConnected: true } client && queue.Reader.Count == 0 && sendRight.Wait(0))
        {
            // Checked again under the right: the loop may have queued work it has not sent yet.
            if (queue.Reader.Count == 0 && ReferenceEquals(Volatile.Read(ref connected), client))
            {
                _ = SendNowAsync(client, encoded);
                return;
            }

            sendRight.Release();
        }

        queue.Writer.TryWrite(encoded);
    }

    /// <summary>The fast path's send; holds the send right until the message is written. A failure drops the fast
    /// path, so the next message goes through the loop, which reconnects.</summary>
    private async Task SendNowAsync(RpcClient client, byte[] encoded)
    {
        try
        {
            await client.SendAsync(RaftMessage(encoded), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e) when (e is RpcException or ObjectDisposedException or IOException)
        {
            Interlocked.CompareExchange(ref connected, null, client);
            HostLog.PeerUnreachable(logger, selfId, peerId, address, e.Message);
        }
        finally
        {
            sendRight.Release();
        }
    }

    private static Message RaftMessage(byte[] payload)
    {
        var message = new Message { Payload = payload };
        message.Header.ServiceName = TubeServiceNames.Raft;
        return message;
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref connected, null);
        queue.Writer.TryComplete();
        stop.Cancel();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        stop.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken ct = stop.Token;
        RpcClient? client = null;
        try
        {
            while (await queue.Reader.WaitToReadAsync(ct))
            {
                await sendRight.WaitAsync(ct);
                try
                {
                    client = await DrainAsync(client, ct);
                }
                finally
                {
                    sendRight.Release();
                }
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Sends everything queued, connecting first if needed (the caller holds the send right). Returns the
    /// client to keep, null when it could not connect.</summary>
    private async Task<RpcClient?> DrainAsync(RpcClient? client, CancellationToken ct)
    {
        Volatile.Write(ref connected, null);
        if (client is null || !client.IsConnected)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            client = await TryConnectAsync(ct);
            if (client is null)
            {
                await Task.Delay(backOff, rpc.TimeProvider, ct);
                return null;
            }
        }

        while (queue.Reader.TryRead(out byte[]? payload))
        {
            try
            {
                await client.SendAsync(RaftMessage(payload), ct);
            }
            catch (RpcException e)
            {
                HostLog.PeerUnreachable(logger, selfId, peerId, address, e.Message);
                return client;
            }
        }

        Volatile.Write(ref connected, client);
        return client;
    }

    private async Task<RpcClient?> TryConnectAsync(CancellationToken ct)
    {
        RpcOptions options = rpc.Clone();
        options.ServerAddress = address;
        try
        {
            return await RpcClient.ConnectAsync(options, ct);
        }
        catch (Exception e) when (e is RpcException or IOException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            HostLog.PeerUnreachable(logger, selfId, peerId, address, e.Message);
            return null;
        }
    }
}
