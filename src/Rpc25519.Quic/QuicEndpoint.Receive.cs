using System.Net.Sockets;

namespace Rpc25519.Transport.Quic;

// The receive loop (await is not allowed in the unsafe part of the class).
internal sealed partial class QuicEndpoint
{
    /// <summary>Datagrams read back to back (without waiting) before the connections they touched send their
    /// acknowledgements and wake their readers.</summary>
    private const int BatchDatagramsMax = 64;

    /// <summary>Connections that received datagrams in the current batch; touched only by the receive loop.</summary>
    private readonly List<QuicConnection> _touched = [];

    private async Task ReceiveLoopAsync()
    {
        while (true)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _from, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted
                                                or SocketError.Interrupted)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP errors for earlier sends (port unreachable, message too big) land here; keep receiving.
                QuicLog.ReceiveFailed(Context.Logger, LocalAddress, e.SocketErrorCode.ToString());
                continue;
            }
            Dispatch(received);
            // Drain what is already queued without waiting, then let each touched connection answer once.
            for (int batch = 1; batch < BatchDatagramsMax && TryReceiveNow(out received); batch++)
            {
                Dispatch(received);
            }
            foreach (QuicConnection connection in _touched)
            {
                connection.AfterReceiveBatch();
            }
            _touched.Clear();
        }
    }

    /// <summary>Reads a datagram that is already queued; false when none is (or the socket failed or closed, which the
    /// next asynchronous receive reports).</summary>
    private bool TryReceiveNow(out int received)
    {
        received = 0;
        try
        {
            if (_socket.Available == 0)
            {
                return false;
            }
            received = _socket.ReceiveFrom(_receiveBuffer, SocketFlags.None, _from);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Notes that <paramref name="connection"/> read a datagram in this batch.</summary>
    internal void Touched(QuicConnection connection)
    {
        if (!_touched.Contains(connection))
        {
            _touched.Add(connection);
        }
    }

    /// <summary>Waits for the receive loop to end (it may be reading a connection's path), then frees the native
    /// address.</summary>
    private async Task FreeAfterLoopAsync()
    {
        await _receiveLoop;
        LocalSocketAddress.Free();
    }
}
