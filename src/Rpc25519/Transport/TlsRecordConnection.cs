using System.IO.Pipelines;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// A TLS 1.3 connection after the handshake whose application records we protect ourselves
/// (<see cref="TlsRecordLayer"/>), run directly on the inner connection's pipes: the session layer's writes are sealed
/// in place in the inner output's buffer when it flushes (<see cref="TlsRecordWriter"/>), and its reads open the
/// records the inner input holds (<see cref="TlsRecordReader"/>). No task, pipe or lock sits between the session layer
/// and the socket, as with plain TCP.
/// </summary>
/// <remarks>Thread-safety: as <see cref="IConnection"/>; the writer and the reader use separate halves of the record
/// layer, so they run at the same time.</remarks>
internal sealed class TlsRecordConnection : IConnection, IDuplexPipe
{
    private readonly IConnection _inner;
    private readonly TlsRecordLayer _records;
    private readonly TlsRecordReader _input;

    public TlsRecordConnection(IConnection inner, TlsRecordLayer records, TlsSettings settings, PeerIdentity? peer)
    {
        _inner = inner;
        _records = records;
        _input = new TlsRecordReader(inner.Transport.Input, records, inner.Abort, inner.RemoteAddress,
            settings.Logger, settings.TimeProvider);
        Output = new TlsRecordWriter(inner.Transport.Output, records);
        Peer = peer;
    }

    /// <summary>The authenticated peer (null when verification was skipped and the peer sent no certificate).</summary>
    public PeerIdentity? Peer { get; }

    /// <inheritdoc />
    public string LocalAddress => _inner.LocalAddress;

    /// <inheritdoc />
    public string RemoteAddress => _inner.RemoteAddress;

    /// <inheritdoc />
    public IDuplexPipe Transport => this;

    /// <summary>Opened plaintext for the session layer.</summary>
    public PipeReader Input => _input;

    /// <summary>Plaintext the session layer writes; sealed into records on flush.</summary>
    public PipeWriter Output { get; }

    /// <inheritdoc />
    public CancellationToken ConnectionClosed => _inner.ConnectionClosed;

    /// <inheritdoc />
    /// <remarks>What the session layer flushed is already in the inner connection (as on a socket, bytes already
    /// written still go out).</remarks>
    public void Abort(Exception? reason) => _inner.Abort(reason);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        _input.Dispose();
        _records.Dispose();
    }
}
