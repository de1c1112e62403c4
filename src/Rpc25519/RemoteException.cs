namespace Rpc25519;

/// <summary>The remote handler failed; <see cref="Exception.Message"/> carries the remote error text verbatim.</summary>
public sealed class RemoteException : RpcException
{
    /// <summary>Creates the error from the remote error text.</summary>
    public RemoteException(string remoteMessage) : base(remoteMessage)
    {
        RemoteMessage = remoteMessage;
    }

    /// <summary>The error text the remote side sent.</summary>
    public string RemoteMessage { get; }
}
