using System.Net;
using System.Net.Sockets;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// A TCP relay on loopback that a fault test can cut and heal: it listens on a free 127.0.0.1 port and forwards every
/// connection to <see cref="Target"/>, byte for byte. <see cref="Cut"/> closes the connections it carries and holds
/// the new ones open without forwarding a byte (what a peer behind a dropped link sees: the connect succeeds and then
/// nothing answers, so the TLS handshake or the call times out); <see cref="Heal"/> closes the held ones, and the
/// next connection is forwarded again. One relay carries one direction of one link (who connects to whom), so a
/// partition may be one-way.
/// </summary>
internal sealed class FaultRelay : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly HashSet<Socket> carried = [];
    private readonly HashSet<Socket> held = [];
    private readonly Task acceptLoop;
    private bool cut;

    public FaultRelay(string target)
    {
        Target = target;
        listener.Start();
        Address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where connections go (host:port).</summary>
    public string Target { get; }

    /// <summary>Where the relay listens (127.0.0.1:port).</summary>
    public string Address { get; }

    public bool IsCut
    {
        get
        {
            lock (carried)
            {
                return cut;
            }
        }
    }

    /// <summary>Drops the link: closes every carried connection and holds new ones, unanswered.</summary>
    public void Cut()
    {
        List<Socket> closing;
        lock (carried)
        {
            cut = true;
            closing = [.. carried];
            carried.Clear();
        }

        closing.ForEach(Close);
    }

    /// <summary>Restores the link: the held connections are closed (so the peer reconnects at once) and new ones are
    /// forwarded.</summary>
    public void Heal()
    {
        List<Socket> closing;
        lock (carried)
        {
            cut = false;
            closing = [.. held];
            held.Clear();
        }

        closing.ForEach(Close);
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        lock (carried)
        {
            foreach (Socket socket in carried.Concat(held))
            {
                Close(socket);
            }

            carried.Clear();
            held.Clear();
        }

        try
        {
            acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was stopped under it.
        }

        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket incoming;
            try
            {
                incoming = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(incoming));
        }
    }

    private async Task RelayAsync(Socket incoming)
    {
        bool hold;
        lock (carried)
        {
            hold = cut;
            if (hold)
            {
                held.Add(incoming);
            }
        }

        if (hold)
        {
            await DrainAsync(incoming); // read and drop until Heal or the peer closes it
            return;
        }

        var outgoing = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        incoming.NoDelay = true;
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
            await outgoing.ConnectAsync(IPEndPoint.Parse(Target), connectTimeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The target is down (killed or not started yet): the peer sees its connection closed.
            Close(incoming);
            Close(outgoing);
            return;
        }

        lock (carried)
        {
            if (cut)
            {
                // Cut while connecting: this connection never carries a byte.
                Close(outgoing);
                Close(incoming);
                return;
            }

            carried.Add(incoming);
            carried.Add(outgoing);
        }

        await Task.WhenAll(PumpAsync(incoming, outgoing), PumpAsync(outgoing, incoming));
        lock (carried)
        {
            carried.Remove(incoming);
            carried.Remove(outgoing);
        }
    }

    /// <summary>Copies one direction until either side closes, then closes both (so the other pump ends too).</summary>
    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed by Cut, by the other pump, or by either end.
        }

        Close(from);
        Close(to);
    }

    private async Task DrainAsync(Socket socket)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token) > 0)
            {
                // Dropped on the floor, as a cut link does.
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed by Heal or by the peer.
        }

        lock (carried)
        {
            held.Remove(socket);
        }

        Close(socket);
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // a reset, as a failed link looks to the peer
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        socket.Dispose();
    }
}
