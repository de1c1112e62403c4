using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>The one error model of every two-way call: what a reply means as an exception.</summary>
internal static class ReplyErrors
{
    /// <summary>The exception a reply stands for, or null when it reports success.</summary>
    public static RpcException? ToException(Message reply) =>
        reply.Header.CallType == CallType.Error ? new CallRejectedException(reply.Header.Subject)
        : reply.Error.Length > 0 ? new RemoteException(reply)
        : null;
}
