using Rpc25519.Messages;

namespace Rpc25519;

/// <summary>
/// The remote handler failed: it threw, and its error text came back in the reply's <see cref="Message.Error"/>.
/// <see cref="Exception.Message"/> carries that text verbatim; <see cref="Reply"/> is the whole reply, for handlers
/// that send more (args, subject) with their error. Thrown the same way by the Message API, the typed API and
/// streams.
/// </summary>
public sealed class RemoteException : RpcException
{
    /// <summary>Creates the error from the remote error text.</summary>
    /// <param name="remoteMessage">The text the remote handler's exception carried.</param>
    public RemoteException(string remoteMessage) : base(remoteMessage)
    {
        RemoteMessage = remoteMessage;
    }

    /// <summary>Creates the error from a reply that carries one.</summary>
    /// <param name="reply">The reply whose <see cref="Message.Error"/> is set.</param>
    public RemoteException(Message reply) : this(reply?.Error ?? throw new ArgumentNullException(nameof(reply)))
    {
        Reply = reply;
    }

    /// <summary>The error text the remote side sent.</summary>
    public string RemoteMessage { get; }

    /// <summary>The reply that carried the error, when there was one.</summary>
    public Message? Reply { get; }
}
