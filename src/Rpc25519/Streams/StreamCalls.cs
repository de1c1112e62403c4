using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>What the client-side stream handles share: a send that cancels both sides when its token fires, and
/// waiting for the final reply.</summary>
internal static class StreamCalls
{
    public static async ValueTask SendAsync(OpenStream stream, Message part, CallType type, bool last,
        CancellationToken cancellationToken)
    {
        try
        {
            await stream.SendPartAsync(part, type, last, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stream.Cancel();
            throw;
        }
    }

    public static async Task<Message> ReplyAsync(OpenStream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.Reply!.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stream.Cancel();
            throw;
        }
    }
}
