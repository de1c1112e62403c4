using System.IO.Pipelines;
using Rpc25519.Transport;

namespace Rpc25519.JSync.Bench;

/// <summary>
/// Plain TCP that counts every byte written into the sockets of the connections it makes or accepts. Used under TLS
/// (<c>new TlsTransport(tls, inner: counting)</c>) on both the client and the server of the benchmark, the count is
/// what crossed the wire in both directions above TCP: TLS handshake and records, RPC frame headers, circuit
/// fragments and jsync messages — the same layer at which rsync's --stats counts its socket bytes.
/// </summary>
internal sealed class CountingTransport : ITransport
{
    private readonly TcpTransport _tcp = new();
    private long _bytes;

    /// <summary>Bytes written into any of this transport's sockets so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public async ValueTask<IConnectionListener> ListenAsync(string hostPort, CancellationToken cancellationToken = default) =>
        new Listener(await _tcp.ListenAsync(hostPort, cancellationToken), this);

    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default) =>
        new Counted(await _tcp.DialAsync(hostPort, cancellationToken), this);

    private sealed class Listener(IConnectionListener inner, CountingTransport owner) : IConnectionListener
    {
        public string LocalAddress => inner.LocalAddress;

        public System.Net.EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default) =>
            await inner.AcceptAsync(cancellationToken) is { } c ? new Counted(c, owner) : null;

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class Counted : IConnection, IDuplexPipe
    {
        private readonly IConnection _inner;

        public Counted(IConnection inner, CountingTransport owner)
        {
            _inner = inner;
            Output = new CountingWriter(inner.Transport.Output, owner);
        }

        public string LocalAddress => _inner.LocalAddress;

        public string RemoteAddress => _inner.RemoteAddress;

        public IDuplexPipe Transport => this;

        public PipeReader Input => _inner.Transport.Input;

        public PipeWriter Output { get; }

        public CancellationToken ConnectionClosed => _inner.ConnectionClosed;

        public void Abort(Exception? reason) => _inner.Abort(reason);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    private sealed class CountingWriter(PipeWriter inner, CountingTransport owner) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            Interlocked.Add(ref owner._bytes, bytes);
            inner.Advance(bytes);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
