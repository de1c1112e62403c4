using System.Threading.Channels;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// One end of an in-process message channel. Every message is really encoded and decoded, so the wire format is
/// exercised and <see cref="BytesSent"/> counts what a network transport would carry (before framing).
/// </summary>
public sealed class InMemoryChannel : IJSyncChannel
{
    private readonly Channel<byte[]> _outbound;
    private readonly Channel<byte[]> _inbound;

    private InMemoryChannel(Channel<byte[]> outbound, Channel<byte[]> inbound)
    {
        _outbound = outbound;
        _inbound = inbound;
    }

    /// <summary>Creates two connected ends; each direction holds at most <paramref name="capacity"/> messages.</summary>
    public static (InMemoryChannel First, InMemoryChannel Second) CreatePair(int capacity = 64)
    {
        var options = new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = false };
        Channel<byte[]> ab = Channel.CreateBounded<byte[]>(options);
        Channel<byte[]> ba = Channel.CreateBounded<byte[]>(options);
        return (new InMemoryChannel(ab, ba), new InMemoryChannel(ba, ab));
    }

    /// <summary>Encoded bytes sent from this end.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Messages sent from this end.</summary>
    public long MessagesSent { get; private set; }

    /// <inheritdoc/>
    public async ValueTask SendAsync(JSyncMessage message, CancellationToken cancellationToken)
    {
        byte[] bytes = JSyncSerializer.Serialize(message);
        try
        {
            await _outbound.Writer.WriteAsync(bytes, cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw Closed(ex);
        }
        BytesSent += bytes.Length;
        MessagesSent++;
    }

    /// <inheritdoc/>
    public async ValueTask<JSyncMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await _inbound.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException ex)
        {
            throw Closed(ex);
        }
        return JSyncSerializer.Deserialize(bytes);
    }

    /// <inheritdoc/>
    public void Abort(string reason)
    {
        var error = new JSyncRemoteException(reason);
        _outbound.Writer.TryComplete(error);
        _inbound.Writer.TryComplete(error);
    }

    private static JSyncException Closed(ChannelClosedException ex) =>
        ex.InnerException as JSyncException
        ?? new JSyncException("The other side closed the channel; the sync was interrupted. Run it again to resume.", ex);
}
