using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519;

/// <summary>What sessions and handlers may ask of their server; kept off the public surface.</summary>
public sealed partial class RpcServer
{
    EndpointContext IServerSessionOwner.Endpoint => _endpoint;

    void IServerSessionOwner.Dispatch(ServerSession session, Message request) => Dispatch(session, request);

    void IServerSessionOwner.OnSessionClosed(ServerSession session) => OnSessionClosed(session);

    void IServerSessionOwner.HandlerEnded() => HandlerEnded();

    Task IServerSessionOwner.SendReplyAsync(ServerSession session, Message reply, bool paysOwedReply) =>
        SendReplyAsync(session, reply, paysOwedReply);
}
