using System.IO.Pipelines;

namespace Rpc25519.Transport;

/// <summary>
/// One established, ordered, reliable, duplex byte connection between two endpoints: the seam between the RPC
/// session layer and whatever carries the bytes (plain TCP, TLS, a simulated network).
/// </summary>
/// <remarks>
/// <para>The session layer owns <see cref="Transport"/> after the connection is handed to it: exactly one reader
/// reads <see cref="IDuplexPipe.Input"/> and exactly one writer writes <see cref="IDuplexPipe.Output"/>.</para>
/// <para>Thread-safety: <see cref="Abort"/> and <see cref="IAsyncDisposable.DisposeAsync"/> may be called from any
/// thread, any number of times; the first close reason wins.</para>
/// </remarks>
public interface IConnection : IAsyncDisposable
{
    /// <summary>Local address in the form <c>network://ip:port</c>, e.g. <c>tcp://127.0.0.1:5000</c>.</summary>
    string LocalAddress { get; }

    /// <summary>Remote address in the form <c>network://ip:port</c>, e.g. <c>tcp://127.0.0.1:51234</c>.</summary>
    string RemoteAddress { get; }

    /// <summary>The byte pipes of the connection. Completing the output pipe half-closes the send direction.</summary>
    IDuplexPipe Transport { get; }

    /// <summary>Fires once when this side closes the connection (<see cref="Abort"/> or dispose). A close by the peer
    /// shows first as the end of <see cref="IDuplexPipe.Input"/> (or a read error); the session layer then disposes the
    /// connection, which fires this token. Transports may fire it earlier, when they learn of the peer's close
    /// themselves.</summary>
    CancellationToken ConnectionClosed { get; }

    /// <summary>Closes the connection at once without a graceful flush; pending reads and writes end.</summary>
    /// <param name="reason">Why the connection is being closed; kept for diagnostics. The first reason wins.</param>
    void Abort(Exception? reason);
}
