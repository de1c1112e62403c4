namespace Rpc25519.JSync;

/// <summary>The other side stopped the sync and said why; the message is the remote's text.</summary>
public sealed class JSyncRemoteException : JSyncException
{
    /// <summary>Creates the exception with the remote's message.</summary>
    public JSyncRemoteException(string remoteMessage) : base("The other side stopped the sync: " + remoteMessage)
    {
        RemoteMessage = remoteMessage;
    }

    /// <summary>The text the remote sent.</summary>
    public string RemoteMessage { get; }
}
