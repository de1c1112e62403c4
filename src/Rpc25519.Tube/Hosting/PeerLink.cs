using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rpc25519.Messages;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// The outgoing half of the link to one peer replica: a bounded queue of encoded Raft messages drained by one send
/// loop over an <see cref="RpcClient"/>, sent as one-way messages. It reconnects after a failure with a short
/// back-off. When the queue is full the oldest message is dropped: Raft treats that as message loss and resends.
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

    public void Send(byte[] encoded) => queue.Writer.TryWrite(encoded);

    public async ValueTask DisposeAsync()
    {
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
                if (client is null || !client.IsConnected)
                {
                    if (client is not null)
                    {
                        await client.DisposeAsync();
                        client = null;
                    }

                    client = await TryConnectAsync(ct);
                    if (client is null)
                    {
                        await Task.Delay(backOff, rpc.TimeProvider, ct);
                        continue;
                    }
                }

                while (queue.Reader.TryRead(out byte[]? payload))
                {
                    var message = new Message { Payload = payload };
                    message.Header.ServiceName = TubeServiceNames.Raft;
                    try
                    {
                        await client.SendAsync(message, ct);
                    }
                    catch (RpcException e)
                    {
                        HostLog.PeerUnreachable(logger, selfId, peerId, address, e.Message);
                        break;
                    }
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
