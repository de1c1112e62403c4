using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// A listener that upgrades each incoming connection of an inner listener (TLS handshake, pre-shared-key exchange)
/// before handing it out. Handshakes run concurrently, each bounded by a timeout, so a stalled or hostile client
/// never blocks the others; a failed handshake is logged and the listener keeps accepting.
/// </summary>
/// <remarks>
/// <para>Slow or idle sockets (slowloris) cannot keep good clients out: a socket must send its first byte within
/// <see cref="FirstByteTimeout"/>, and when every handshake slot is taken a newcomer takes the slot of the oldest
/// socket that has not sent anything yet. Only when all slots hold sockets that are actually talking is a newcomer
/// refused.</para>
/// </remarks>
/// <remarks>Thread-safety: one caller of <see cref="AcceptAsync"/> at a time; <see cref="DisposeAsync"/> from any
/// thread.</remarks>
internal sealed class HandshakingListener : IConnectionListener
{
    /// <summary>Most handshakes in progress at once.</summary>
    internal const int MaxPendingHandshakes = 512;

    /// <summary>How long a new socket may stay silent before it loses its handshake slot (at most the handshake
    /// timeout).</summary>
    internal static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Upgraded connections not yet taken by <see cref="AcceptAsync"/>.</summary>
    private const int ReadyCapacity = 128;

    private readonly IConnectionListener _inner;
    private readonly Func<IConnection, CancellationToken, ValueTask<IConnection>> _upgrade;
    private readonly string _layer;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly TaskScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly Channel<IConnection> _ready;
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>Handshakes in progress, by ID (oldest lowest); guarded by <see cref="_pendingLock"/>.</summary>
    private readonly SortedDictionary<long, PendingHandshake> _pending = [];
    private readonly Lock _pendingLock = new();
    private readonly Task _acceptLoop;
    private long _nextHandshakeId;
    private int _disposed;

    public HandshakingListener(IConnectionListener inner,
        Func<IConnection, CancellationToken, ValueTask<IConnection>> upgrade, string layer, TimeSpan timeout,
        TransportEnvironment environment, ILogger logger)
    {
        _inner = inner;
        _upgrade = upgrade;
        _layer = layer;
        _timeout = timeout;
        _timeProvider = environment.TimeProvider;
        _scheduler = environment.TaskScheduler;
        _logger = logger;
        _ready = Channel.CreateBounded<IConnection>(new BoundedChannelOptions(ReadyCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _acceptLoop = Task.Factory.StartNew(static s => ((HandshakingListener)s!).AcceptLoopAsync(), this,
            CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
    }

    public string LocalAddress => _inner.LocalAddress;

    public EndPoint EndPoint => _inner.EndPoint;

    public async ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _ready.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        await _inner.DisposeAsync();
        await _acceptLoop;
        Task[] pending;
        lock (_pendingLock)
        {
            pending = [.. _pending.Values.Select(p => p.Task)];
        }
        await Task.WhenAll(pending);
        _ready.Writer.TryComplete();
        while (_ready.Reader.TryRead(out IConnection? unclaimed))
        {
            await unclaimed.DisposeAsync();
        }
    }

    /// <summary>Takes raw connections until disposal and starts a handshake for each. A failed accept is logged and
    /// retried after a short, growing pause; only disposal ends the loop.</summary>
    private async Task AcceptLoopAsync()
    {
        var backoff = new AcceptBackoff(_timeProvider);
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                IConnection? raw = null;
                try
                {
                    raw = await _inner.AcceptAsync(_stopping.Token);
                    if (raw is null)
                    {
                        return;
                    }
                    await StartHandshakeAsync(raw);
                    backoff.Reset();
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    raw?.Abort(e);
                    SecurityLog.AcceptFailed(_logger, LocalAddress, backoff.FailuresInARow + 1, e);
                    if (!await backoff.WaitAsync(_stopping.Token))
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _ready.Writer.TryComplete();
            }
        }
    }

    /// <summary>Starts the handshake of one accepted connection, unless too many are in progress already.</summary>
    private async Task StartHandshakeAsync(IConnection raw)
    {
        long id = ++_nextHandshakeId;
        var pending = new PendingHandshake();
        PendingHandshake? evicted = null;
        bool admitted = true;
        lock (_pendingLock)
        {
            if (_pending.Count >= MaxPendingHandshakes)
            {
                // Full: the oldest socket that has said nothing yet makes room; if all are talking, refuse.
                evicted = _pending.Values.FirstOrDefault(p => !p.HasSpoken);
                admitted = evicted is not null;
            }
            if (admitted)
            {
                _pending[id] = pending;
            }
        }
        if (evicted is not null)
        {
            evicted.Evict();
        }
        if (!admitted)
        {
            SecurityLog.TooManyHandshakes(_logger, raw.RemoteAddress, MaxPendingHandshakes);
            await raw.DisposeAsync();
            return;
        }
        Task handshake = Task.Factory.StartNew(static s =>
        {
            var (listener, connection, handshakeId, entry) = ((HandshakingListener, IConnection, long, PendingHandshake))s!;
            return listener.HandshakeAsync(connection, handshakeId, entry);
        }, (this, raw, id, pending), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
        pending.Task = handshake;
    }

    private async Task HandshakeAsync(IConnection raw, long id, PendingHandshake pending)
    {
        using var timeout = _timeout > TimeSpan.Zero
            ? new CancellationTokenSource(_timeout, _timeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token,
            pending.Evicted);
        try
        {
            await WaitForFirstByteAsync(raw, pending, linked.Token);
            IConnection upgraded = await _upgrade(raw, linked.Token);
            SecurityLog.HandshakeCompleted(_logger, _layer, raw.RemoteAddress);
            Diagnostics.RpcMetrics.Handshake(_layer, errorType: null, server: true);
            if (!_ready.Writer.TryWrite(upgraded))
            {
                try
                {
                    await _ready.Writer.WriteAsync(upgraded, _stopping.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
                {
                    await upgraded.DisposeAsync();
                }
            }
        }
        catch (Exception e)
        {
            (string reason, string errorType) = e is not OperationCanceledException ? (e.Message, Diagnostics.RpcMetrics.HandshakeErrorType(e))
                : pending.Evicted.IsCancellationRequested
                    ? ("it had sent nothing and its slot went to a newer connection (all handshake slots were taken)",
                        "evicted")
                : pending.SilentTooLong ? ($"it sent nothing within {FirstByteTimeout.TotalSeconds:0.###} s", "silent")
                : timeout.IsCancellationRequested ? ($"no handshake within {_timeout.TotalSeconds:0.###} s", "timeout")
                : (e.Message, "stopped");
            SecurityLog.HandshakeFailed(_logger, _layer, raw.RemoteAddress, reason);
            Diagnostics.RpcMetrics.Handshake(_layer, errorType, server: true);
            await raw.DisposeAsync();
        }
        finally
        {
            lock (_pendingLock)
            {
                _pending.Remove(id);
            }
            pending.Dispose();
        }
    }

    /// <summary>Waits until the socket has sent something (without consuming it), at most
    /// <see cref="FirstByteTimeout"/>; then it counts as talking and can no longer be evicted.</summary>
    private async Task WaitForFirstByteAsync(IConnection raw, PendingHandshake pending, CancellationToken cancellation)
    {
        TimeSpan limit = _timeout > TimeSpan.Zero && _timeout < FirstByteTimeout ? _timeout : FirstByteTimeout;
        using var silence = new CancellationTokenSource(limit, _timeProvider);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellation, silence.Token);
        PipeReader input = raw.Transport.Input;
        try
        {
            ReadResult first = await input.ReadAsync(both.Token);
            // Nothing consumed or examined: the handshake reads these bytes again at once.
            input.AdvanceTo(first.Buffer.Start);
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            pending.SilentTooLong = true;
            throw;
        }
        pending.HasSpoken = true;
    }

    /// <summary>One handshake in progress.</summary>
    private sealed class PendingHandshake : IDisposable
    {
        private readonly CancellationTokenSource _evict = new();

        /// <summary>The handshake's task (set just after it starts).</summary>
        public Task Task { get; set; } = Task.CompletedTask;

        /// <summary>Whether the socket has sent anything; a silent one may be evicted.</summary>
        public volatile bool HasSpoken;

        /// <summary>Whether it was dropped for sending nothing in time.</summary>
        public volatile bool SilentTooLong;

        /// <summary>Fires when a newer connection takes this one's slot.</summary>
        public CancellationToken Evicted => _evict.Token;

        public void Evict()
        {
            try
            {
                _evict.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile.
            }
        }

        public void Dispose() => _evict.Dispose();
    }
}
