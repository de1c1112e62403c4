using Rpc25519.Rpc;

namespace Rpc25519.Peers;

/// <summary>Hears from the connection's writer about each fragment of one circuit; a fragment that cannot be sent
/// (too large for the frame limit, or the connection failed) closes its circuit with that reason, so that no loss is
/// silent. One per circuit, shared by all its fragments.</summary>
/// <remarks>Thread-safe (stateless apart from the circuit).</remarks>
internal sealed class CircuitSendWatch(Circuit circuit) : ISendCompletion
{
    public void OnSent()
    {
    }

    public void OnSendFailed(Exception error) =>
        circuit.Close("a fragment could not be sent: " + error.Message, notifyRemote: true,
            remoteReason: "the sender could not send a fragment", cause: error);
}
