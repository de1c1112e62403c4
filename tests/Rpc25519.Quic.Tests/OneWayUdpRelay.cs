using System.Net;
using System.Net.Sockets;
using Rpc25519.Transport;
using Rpc25519.Transport.Quic;

namespace Rpc25519.Quic.Tests;

/// <summary>A relay whose client packets reach the server while the server's answers go nowhere: from the server's
/// view, Initial packets from addresses that cannot answer (a flood of forged sources).</summary>
internal sealed class OneWayUdpRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _forwarded;

    public OneWayUdpRelay(IPEndPoint server)
    {
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Address = "udp://" + _front.LocalEndPoint;
        _pump = PumpAsync(server);
    }

    /// <summary>Where clients dial to be relayed.</summary>
    public string Address { get; }

    public int Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>Starts <paramref name="count"/> dials through the relay that give up when <paramref name="giveUp"/>
    /// fires.</summary>
    public Task FloodAsync(QuicTransport transport, int count, CancellationToken giveUp) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => DialAndGiveUpAsync(transport, giveUp)));

    private async Task DialAndGiveUpAsync(QuicTransport transport, CancellationToken giveUp)
    {
        try
        {
            await using IConnection c = await transport.DialAsync(Address, giveUp);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PumpAsync(IPEndPoint server)
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (true)
            {
                SocketReceiveFromResult got = await _front.ReceiveFromAsync(buffer, SocketFlags.None,
                    new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                await _back.SendToAsync(buffer.AsMemory(0, got.ReceivedBytes), SocketFlags.None, server, _stop.Token);
                Interlocked.Increment(ref _forwarded);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _front.Dispose();
        _back.Dispose();
    }
}
