using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Peers;

/// <summary>A start or circuit open waiting for the remote's acknowledgement (<see
/// cref="WireCallType.PeerCircuitEstablishedAck"/>).</summary>
/// <remarks>Thread-safe: completed once, from the connection's reader loop or its close.</remarks>
internal sealed class PendingAck(RpcConnection connection, Circuit? circuit)
{
    private readonly TaskCompletionSource<Message> _done = new(connection.CompletionOptions);

    public RpcConnection Connection { get; } = connection;

    /// <summary>The opener's half of the circuit, or null for a plain peer start.</summary>
    public Circuit? Circuit { get; } = circuit;

    public Task<Message> Task => _done.Task;

    public void Complete(Message ack) => _done.TrySetResult(ack);

    public void Fail(Exception error) => _done.TrySetException(error);
}
