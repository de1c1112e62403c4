using System.Net;
using System.Threading.Channels;

namespace Rpc25519.Transport.Quic;

/// <summary>A QUIC listener: the connections whose handshake completed on its UDP socket.</summary>
internal sealed class QuicConnectionListener : IConnectionListener
{
    private readonly QuicEndpoint _endpoint;
    private readonly QuicListenerState _state;
    private int _disposed;

    public QuicConnectionListener(QuicEndpoint endpoint, QuicListenerState state)
    {
        _endpoint = endpoint;
        _state = state;
    }

    public string LocalAddress => _endpoint.LocalAddress;

    public EndPoint EndPoint => _endpoint.EndPoint;

    /// <summary>The socket this listener shares (for tests).</summary>
    internal QuicEndpoint Endpoint => _endpoint;

    public async ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _state.Accepted.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _endpoint.Detach(_state);
        _state.Accepted.Writer.TryComplete();
        while (_state.Accepted.Reader.TryRead(out QuicConnection? unclaimed))
        {
            await unclaimed.DisposeAsync();
        }
        await _endpoint.Release();
    }
}
