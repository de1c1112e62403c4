namespace Rpc25519.Transport;

/// <summary>
/// Makes listeners and outgoing connections. <see cref="RpcOptions.Transport"/> chooses the implementation: plain TCP
/// (<see cref="TcpTransport"/>), TLS (security layer) or a simulated network. The client, server and everything above
/// them see only this seam.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ITransport
{
    /// <summary>Binds a listener to <paramref name="hostPort"/> (<c>host:port</c>; port 0 picks a free port).</summary>
    /// <param name="hostPort">Address to bind, e.g. <c>127.0.0.1:0</c>.</param>
    /// <param name="cancellationToken">Cancels the bind.</param>
    /// <exception cref="RpcTransportException">The address is malformed or cannot be bound.</exception>
    ValueTask<IConnectionListener> ListenAsync(string hostPort, CancellationToken cancellationToken = default);

    /// <summary>Connects to <paramref name="hostPort"/> (<c>host:port</c>).</summary>
    /// <param name="hostPort">Address to dial, e.g. <c>127.0.0.1:5000</c>.</param>
    /// <param name="cancellationToken">Cancels the dial (and any handshake).</param>
    /// <exception cref="RpcTransportException">The address is malformed or the connection was refused.</exception>
    ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default);
}
