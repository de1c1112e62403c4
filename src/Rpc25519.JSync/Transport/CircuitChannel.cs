using System.Threading.Channels;
using Rpc25519.JSync.Protocol;
using Rpc25519.Peers;

namespace Rpc25519.JSync.Transport;

/// <summary>
/// Carries jsync messages over one peer <see cref="Circuit"/>: each message is one fragment whose
/// <see cref="Fragment.Payload"/> holds its MessagePack bytes and whose <see cref="Fragment.Operation"/> is
/// <see cref="MessageOperation"/>. Back-pressure is the circuit's credit: <see cref="SendAsync"/> waits while the
/// receiver is a window behind. A circuit that closes mid-sync fails the waiting and later calls with
/// <see cref="JSyncConnectionLostException"/>, or with <see cref="JSyncRemoteException"/> when the other side aborted
/// the sync and said why.
/// </summary>
/// <remarks>Follows the <see cref="IJSyncChannel"/> contract: one send and one receive may run at the same time.
/// Disposing closes the circuit.</remarks>
public sealed class CircuitChannel : IJSyncChannel, IAsyncDisposable
{
    /// <summary>The <see cref="Fragment.Operation"/> of a fragment that carries one jsync message.</summary>
    public const int MessageOperation = 0x4A53; // "JS"

    /// <summary>Prefix of a circuit close reason that carries a jsync abort (the rest is the reason).</summary>
    private const string AbortTag = "[jsync abort] ";

    private readonly Circuit _circuit;
    private long _bytesSent;
    private long _bytesReceived;
    private long _messagesSent;
    private long _messagesReceived;
    private string? _localAbort;

    /// <summary>Wraps an open circuit; the channel owns it from now on.</summary>
    /// <param name="circuit">A circuit between the two jsync sides.</param>
    public CircuitChannel(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        _circuit = circuit;
    }

    /// <summary>The circuit the messages travel on.</summary>
    public Circuit Circuit => _circuit;

    /// <summary>Encoded message bytes sent (fragment payloads; the frame and TLS overhead is not counted).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Encoded message bytes received (fragment payloads).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Messages sent.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Messages received.</summary>
    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <inheritdoc/>
    /// <exception cref="JSyncConnectionLostException">The circuit closed.</exception>
    /// <exception cref="JSyncRemoteException">The other side aborted the sync.</exception>
    public async ValueTask SendAsync(JSyncMessage message, CancellationToken cancellationToken)
    {
        // A circuit with credit to spare queues without looking at the token: check it here, so a cancelled sync
        // stops at its next message.
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes = JSyncSerializer.Serialize(message);
        var fragment = new Fragment { Operation = MessageOperation, Payload = bytes };
        try
        {
            await _circuit.SendAsync(fragment, cancellationToken);
        }
        catch (CircuitClosedException ex)
        {
            throw ClosedError(ex);
        }
        Interlocked.Add(ref _bytesSent, bytes.Length);
        Interlocked.Increment(ref _messagesSent);
    }

    /// <inheritdoc/>
    /// <exception cref="JSyncConnectionLostException">The circuit closed.</exception>
    /// <exception cref="JSyncRemoteException">The other side aborted the sync.</exception>
    /// <exception cref="JSyncProtocolException">A fragment that is not a jsync message arrived.</exception>
    public async ValueTask<JSyncMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Fragment fragment;
        try
        {
            // WaitToReadAsync + TryRead rather than ReadAsync: the same under a real scheduler, and it stays on the
            // caller's context under SimNet (see docs/simnet.md).
            while (!_circuit.Reads.TryRead(out fragment!))
            {
                if (!await _circuit.Reads.WaitToReadAsync(cancellationToken))
                {
                    throw new ChannelClosedException();
                }
            }
        }
        catch (ChannelClosedException ex)
        {
            throw ClosedError(ex);
        }
        if (fragment.Operation != MessageOperation)
        {
            throw new JSyncProtocolException(
                $"Received a fragment with operation {fragment.Operation} on a jsync circuit; expected " +
                $"{MessageOperation}. Is the other side a jsync peer?");
        }
        Interlocked.Add(ref _bytesReceived, fragment.Payload.Length);
        Interlocked.Increment(ref _messagesReceived);
        return JSyncSerializer.Deserialize(fragment.Payload);
    }

    /// <inheritdoc/>
    /// <remarks>Closes the circuit with the reason; the other side's calls then fail with
    /// <see cref="JSyncRemoteException"/> after it read what was already sent.</remarks>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _localAbort, reason, null);
        _ = CloseQuietlyAsync(AbortTag + reason);
    }

    /// <summary>Closes the circuit (both sides).</summary>
    public async ValueTask DisposeAsync() => await CloseQuietlyAsync("jsync channel disposed");

    private async Task CloseQuietlyAsync(string reason)
    {
        try
        {
            await _circuit.CloseAsync(reason);
        }
        catch (RpcException)
        {
            // The connection is already gone: the circuit is closed on this side, which is all that matters here.
        }
    }

    private JSyncException ClosedError(Exception cause)
    {
        if (Volatile.Read(ref _localAbort) is { } local)
        {
            return new JSyncException("This side stopped the sync: " + local, cause);
        }
        string reason = _circuit.CloseReason?.Message ?? cause.Message;
        int tag = reason.IndexOf(AbortTag, StringComparison.Ordinal);
        return tag >= 0
            ? new JSyncRemoteException(reason[(tag + AbortTag.Length)..])
            : new JSyncConnectionLostException(reason, cause);
    }
}
