using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rpc25519.Transport;

using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// A listener that upgrades each incoming connection of an inner listener (TLS handshake, pre-shared-key exchange)
/// before handing it out. Handshakes run concurrently, each bounded by a timeout, so a stalled or hostile client
/// never blocks the others; a failed handshake is logged and the listener keeps accepting.
/// </summary>
/// <remarks>Thread-safety: one caller of <see cref="AcceptAsync"/> at a time; <see cref="DisposeAsync"/> from any
/// thread.</remarks>
internal sealed class HandshakingListener : IConnectionListener
{
    /// <summary>Most handshakes in progress at once; more incoming connections are closed at once.</summary>
    private const int MaxPendingHandshakes = 512;

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
    /// <summary>Handshakes in progress; guarded by <see cref="_pendingLock"/>.</summary>
    private readonly Dictionary<long, Task> _pending = [];
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
            pending = [.. _pending.Values];
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
        bool admitted;
        long id = ++_nextHandshakeId;
        lock (_pendingLock)
        {
            admitted = _pending.Count < MaxPendingHandshakes;
            if (admitted)
            {
                _pending[id] = Task.CompletedTask;
            }
        }
        if (!admitted)
        {
            SecurityLog.TooManyHandshakes(_logger, raw.RemoteAddress, MaxPendingHandshakes);
            await raw.DisposeAsync();
            return;
        }
        Task handshake = Task.Factory.StartNew(static s =>
        {
            var (listener, connection, handshakeId) = ((HandshakingListener, IConnection, long))s!;
            return listener.HandshakeAsync(connection, handshakeId);
        }, (this, raw, id), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap();
        lock (_pendingLock)
        {
            if (_pending.ContainsKey(id))
            {
                _pending[id] = handshake;
            }
        }
    }

    private async Task HandshakeAsync(IConnection raw, long id)
    {
        using var timeout = _timeout > TimeSpan.Zero
            ? new CancellationTokenSource(_timeout, _timeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        try
        {
            IConnection upgraded = await _upgrade(raw, linked.Token);
            SecurityLog.HandshakeCompleted(_logger, _layer, raw.RemoteAddress);
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
            string reason = timeout.IsCancellationRequested && e is OperationCanceledException
                ? $"no handshake within {_timeout.TotalSeconds:0.###} s"
                : e.Message;
            SecurityLog.HandshakeFailed(_logger, _layer, raw.RemoteAddress, reason);
            await raw.DisposeAsync();
        }
        finally
        {
            lock (_pendingLock)
            {
                _pending.Remove(id);
            }
        }
    }
}
