using System.Net.Sockets;

namespace Rpc25519.Transport.Quic;

// The receive loop (await is not allowed in the unsafe part of the class).
internal sealed partial class QuicEndpoint
{
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
        }
    }
}
