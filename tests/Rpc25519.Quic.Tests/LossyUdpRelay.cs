using System.Net;
using System.Net.Sockets;

namespace Rpc25519.Quic.Tests;

/// <summary>A loopback UDP relay for one client that drops and reorders datagrams in both directions: every
/// <c>dropEvery</c>-th datagram is lost, and every <c>swapEvery</c>-th is held back and sent after the next one.
/// Deterministic (counters, no randomness). An optional <c>toServer</c> hook sees each client datagram first and returns
/// what to forward (possibly changed, possibly after a delay), or null to drop it.</summary>
internal sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly int _dropEvery;
    private readonly int _swapEvery;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _up;
    private readonly Task _down;
    private readonly Func<byte[], Task<byte[]?>>? _toServer;
    private EndPoint? _client;
    private long _fromClient;
    private long _fromServer;

    public LossyUdpRelay(IPEndPoint server, int dropEvery, int swapEvery, Func<byte[], Task<byte[]?>>? toServer = null)
    {
        _toServer = toServer;
        _server = server;
        _dropEvery = dropEvery;
        _swapEvery = swapEvery;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_front.LocalEndPoint!;
        _up = PumpAsync(_front, toServer: true);
        _down = PumpAsync(_back, toServer: false);
    }

    public IPEndPoint EndPoint { get; }

    public int Dropped { get; private set; }

    /// <summary>Datagrams that arrived from the client (dropped ones included).</summary>
    public long FromClient => Volatile.Read(ref _fromClient);

    /// <summary>Datagrams that arrived from the server.</summary>
    public long FromServer => Volatile.Read(ref _fromServer);

    public int Swapped { get; private set; }

    private async Task PumpAsync(Socket from, bool toServer)
    {
        byte[] buffer = new byte[65536];
        byte[]? held = null;
        long count = 0;
        try
        {
            while (true)
            {
                SocketReceiveFromResult received = await from.ReceiveFromAsync(buffer, SocketFlags.None,
                    new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                if (toServer)
                {
                    Interlocked.Increment(ref _fromClient);
                    _client = received.RemoteEndPoint;
                }
                else
                {
                    Interlocked.Increment(ref _fromServer);
                }
                EndPoint? target = toServer ? _server : _client;
                if (target is null)
                {
                    continue;
                }
                Socket via = toServer ? _back : _front;
                byte[] datagram = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
                if (toServer && _toServer is not null)
                {
                    byte[]? changed = await _toServer(datagram);
                    if (changed is null)
                    {
                        continue;
                    }
                    datagram = changed;
                }
                count++;
                if (count % _dropEvery == 0)
                {
                    Dropped++;
                    continue;
                }
                if (held is null && count % _swapEvery == 0)
                {
                    held = datagram;
                    Swapped++;
                    continue;
                }
                await via.SendToAsync(datagram, SocketFlags.None, target, _stop.Token);
                if (held is not null)
                {
                    await via.SendToAsync(held, SocketFlags.None, target, _stop.Token);
                    held = null;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _front.Dispose();
        _back.Dispose();
        await Task.WhenAll(_up, _down);
    }
}
