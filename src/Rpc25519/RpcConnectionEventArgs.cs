namespace Rpc25519;

/// <summary>A client connected to or disconnected from an <see cref="RpcServer"/>.</summary>
public sealed class RpcConnectionEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public RpcConnectionEventArgs(string remoteAddress, Exception? closeReason)
    {
        RemoteAddress = remoteAddress;
        CloseReason = closeReason;
    }

    /// <summary>The client's address, <c>tcp://ip:port</c>: the key for <see cref="RpcServer.PushAsync"/>.</summary>
    public string RemoteAddress { get; }

    /// <summary>On disconnect: why the connection closed. Null on connect.</summary>
    public Exception? CloseReason { get; }
}
