using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>Wraps a channel and cuts the connection after a given number of literal chunks were received.</summary>
internal sealed class CuttingChannel(IJSyncChannel inner, int literalsBeforeCut) : IJSyncChannel
{
    private int _literals;

    public ValueTask SendAsync(JSyncMessage message, CancellationToken cancellationToken) => inner.SendAsync(message, cancellationToken);

    public async ValueTask<JSyncMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        JSyncMessage message = await inner.ReceiveAsync(cancellationToken);
        if (message is LiteralChunk && ++_literals > literalsBeforeCut)
        {
            inner.Abort("connection cut");
            throw new JSyncException("connection cut (test)");
        }
        return message;
    }

    public void Abort(string reason) => inner.Abort(reason);
}
