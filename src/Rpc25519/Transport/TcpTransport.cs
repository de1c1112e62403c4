using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rpc25519.Transport;

/// <summary>Plain TCP (no encryption), selected by <see cref="TransportKind.Tcp"/>. For trusted networks only.</summary>
/// <remarks>Thread-safe. Sockets use <c>NoDelay</c>; addresses are reported as <c>tcp://ip:port</c>.</remarks>
public sealed class TcpTransport : ITransport
{
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the transport.</summary>
    /// <param name="loggerFactory">Where listener diagnostics go; <see langword="null"/> for none.</param>
    public TcpTransport(ILoggerFactory? loggerFactory = null)
    {
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <inheritdoc />
    public async ValueTask<IConnectionListener> ListenAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        (string host, int port) = HostPort.Split(hostPort);
        IPAddress[] addresses = await HostPort.ResolveAsync(host, cancellationToken);
        var endPoint = new IPEndPoint(addresses[0], port);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RpcTransportException($"Cannot listen on {hostPort}: {e.Message}", e);
        }
        return new TcpConnectionListener(socket, _loggerFactory.CreateLogger<TcpConnectionListener>());
    }

    /// <inheritdoc />
    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        (string host, int port) = HostPort.Split(hostPort);
        IPAddress[] addresses = await HostPort.ResolveAsync(host, cancellationToken);
        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new TcpConnection(socket);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new RpcTransportException($"Cannot connect to {hostPort}: {last?.Message ?? "no address"}", last);
    }
}
