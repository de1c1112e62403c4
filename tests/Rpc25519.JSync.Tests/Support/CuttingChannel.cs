using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>Wraps a channel and cuts the connection once more than a given number of literal bytes arrived.</summary>
internal sealed class CuttingChannel(IJSyncChannel inner, long literalBytesBeforeCut) : IJSyncChannel
{
    private long _literalBytes;

    public ValueTask SendAsync(JSyncMessage message, CancellationToken cancellationToken) => inner.SendAsync(message, cancellationToken);

    public async ValueTask<JSyncMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        JSyncMessage message = await inner.ReceiveAsync(cancellationToken);
        if (message is FilePlan plan && (_literalBytes += plan.Data.Length) > literalBytesBeforeCut)
        {
            inner.Abort("connection cut");
            throw new JSyncException("connection cut (test)");
        }
        return message;
    }

    public void Abort(string reason) => inner.Abort(reason);
}
