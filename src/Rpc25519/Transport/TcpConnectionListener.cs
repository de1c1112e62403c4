using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Rpc25519.Transport;

/// <summary>A bound TCP listening socket.</summary>
internal sealed class TcpConnectionListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private int _disposed;

    public TcpConnectionListener(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        EndPoint = socket.LocalEndPoint!;
        LocalAddress = HostPort.Format("tcp", EndPoint);
    }

    public string LocalAddress { get; }

    public EndPoint EndPoint { get; }

    public async ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                Socket accepted = await _socket.AcceptAsync(cancellationToken);
                accepted.NoDelay = true;
                return new TcpConnection(accepted);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted
                                            || e.SocketErrorCode == SocketError.Interrupted)
            {
                return null;
            }
            catch (SocketException e)
            {
                TransportLog.AcceptFailed(_logger, LocalAddress, e.SocketErrorCode.ToString(), e);
            }
        }
        return null;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
