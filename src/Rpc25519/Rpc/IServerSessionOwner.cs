using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>The server that a <see cref="ServerSession"/> and its <see cref="HandlerInvocation"/>s report to: the
/// server side's counterpart of <see cref="IRpcConnectionOwner"/>, so that sessions and handlers never reach into
/// <see cref="RpcServer"/> itself.</summary>
internal interface IServerSessionOwner
{
    /// <summary>What every connection of the server shares (config, clock, IDs, logger).</summary>
    EndpointContext Endpoint { get; }

    /// <summary>Routes a message the session received (on its reader loop; never blocks).</summary>
    void Dispatch(ServerSession session, Message request);

    /// <summary>The session's connection closed; called once.</summary>
    void OnSessionClosed(ServerSession session);

    /// <summary>A handler started by <see cref="Dispatch"/> has finished (its reply, if any, is queued).</summary>
    void HandlerEnded();

    /// <summary>Queues a reply on the session's connection.</summary>
    /// <param name="session">The session the request came on.</param>
    /// <param name="reply">The reply, routing fields set.</param>
    /// <param name="paysOwedReply">Whether this reply settles a two-way request counted by
    /// <see cref="ServerSession.ReplyOwed"/>.</param>
    Task SendReplyAsync(ServerSession session, Message reply, bool paysOwedReply);
}
