using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>The client or server that a <see cref="RpcConnection"/> reports to.</summary>
internal interface IRpcConnectionOwner
{
    /// <summary>
    /// A message arrived that is not a keep-alive and not the reply of a call waiting on this connection. Called on
    /// the connection's reader loop, in arrival order: hand work off, never block; exceptions are logged as bugs.
    /// </summary>
    void OnMessageReceived(RpcConnection connection, Message message);

    /// <summary>The connection closed (called once, after every waiting call has been failed).</summary>
    void OnConnectionClosed(RpcConnection connection, Exception reason);
}
