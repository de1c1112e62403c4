namespace Rpc25519.Transport;

/// <summary>A bound listener that yields incoming connections.</summary>
/// <remarks>Thread-safety: one caller of <see cref="AcceptAsync"/> at a time; <see cref="IAsyncDisposable.DisposeAsync"/>
/// may be called from any thread and makes a pending <see cref="AcceptAsync"/> return <see langword="null"/>.</remarks>
public interface IConnectionListener : IAsyncDisposable
{
    /// <summary>The address actually bound, in the form <c>network://ip:port</c> (a requested port 0 is resolved).</summary>
    string LocalAddress { get; }

    /// <summary>The bound endpoint (for TCP an <see cref="System.Net.IPEndPoint"/> with the real port).</summary>
    System.Net.EndPoint EndPoint { get; }

    /// <summary>
    /// Waits for the next incoming connection. Returns <see langword="null"/> once the listener is disposed.
    /// A failure of one incoming connection (e.g. a reset in the backlog or a failed handshake) is not thrown:
    /// the listener logs it and keeps accepting.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; throws <see cref="OperationCanceledException"/>.</param>
    ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default);
}
