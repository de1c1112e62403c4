namespace Rpc25519.JSync.Protocol;

/// <summary>
/// An ordered, reliable, duplex stream of jsync messages between a giver and a taker. The core engine only talks
/// through this seam: <see cref="InMemoryChannel"/> implements it in-process, and a circuit transport implements it over
/// the network (one message per fragment, back-pressure from the circuit's credit). The engine never overlaps two
/// sends or two receives on one channel; a send and a receive may run at the same time.
/// </summary>
public interface IJSyncChannel
{
    /// <summary>Sends a message; may wait for room (back-pressure). Implementations encode (or copy) the message before
    /// the returned task completes, so the caller may reuse buffers the message refers to (a plan's
    /// <see cref="FilePlan.Data"/>) once it has.</summary>
    ValueTask SendAsync(JSyncMessage message, CancellationToken cancellationToken);

    /// <summary>Receives the next message.</summary>
    /// <exception cref="JSyncException">The other side closed the channel.</exception>
    ValueTask<JSyncMessage> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stops the conversation without waiting: the other side's pending and later sends and receives fail with
    /// <see cref="JSyncRemoteException"/> carrying <paramref name="reason"/> (after it drained what was already sent).
    /// </summary>
    void Abort(string reason);
}
