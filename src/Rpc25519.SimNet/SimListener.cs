using System.Net;
using Rpc25519.Transport;

namespace Rpc25519.SimNet;

/// <summary>A listener on a simulated host: dials that reach it wait in a bounded backlog until accepted.</summary>
/// <remarks>Simulation thread only.</remarks>
internal sealed class SimListener : IConnectionListener
{
    private readonly SimHost _host;
    private readonly int _backlogMax;
    private readonly Queue<SimConnection> _backlog = new();
    private TaskCompletionSource<IConnection?>? _waiter;
    private CancellationTokenRegistration _waiterCancel;

    public SimListener(SimHost host, int port, int backlogMax)
    {
        _host = host;
        Port = port;
        _backlogMax = backlogMax;
        LocalAddress = $"sim://{host.Name}:{port}";
        EndPoint = new DnsEndPoint(host.Name, port);
    }

    public int Port { get; }

    public bool IsDisposed { get; private set; }

    public string LocalAddress { get; }

    public EndPoint EndPoint { get; }

    /// <summary>Offers a new server-side connection end; false when the backlog is full or the listener is gone.
    /// </summary>
    public bool TryOffer(SimConnection connection)
    {
        if (IsDisposed)
        {
            return false;
        }
        if (_waiter is { } waiter)
        {
            _waiter = null;
            _waiterCancel.Dispose();
            waiter.TrySetResult(connection);
            return true;
        }
        if (_backlog.Count >= _backlogMax)
        {
            return false;
        }
        _backlog.Enqueue(connection);
        return true;
    }

    public ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_backlog.TryDequeue(out SimConnection? ready))
        {
            return new ValueTask<IConnection?>(ready);
        }
        if (IsDisposed)
        {
            return new ValueTask<IConnection?>((IConnection?)null);
        }
        if (_waiter is not null)
        {
            throw new InvalidOperationException("Only one AcceptAsync may wait at a time.");
        }
        // Continuations are not forced asynchronous: that would send non-context continuations (Unwrap, WaitAsync)
        // to the thread pool. Completion happens on the simulation thread, so inline continuations stay on it.
        var waiter = new TaskCompletionSource<IConnection?>();
        _waiter = waiter;
        if (cancellationToken.CanBeCanceled)
        {
            _waiterCancel = cancellationToken.Register(() =>
            {
                if (ReferenceEquals(_waiter, waiter))
                {
                    _waiter = null;
                }
                waiter.TrySetCanceled(cancellationToken);
            });
        }
        return new ValueTask<IConnection?>(waiter.Task);
    }

    public ValueTask DisposeAsync()
    {
        if (IsDisposed)
        {
            return ValueTask.CompletedTask;
        }
        IsDisposed = true;
        if (_host.Listeners.TryGetValue(Port, out SimListener? bound) && ReferenceEquals(bound, this))
        {
            _host.Listeners.Remove(Port);
        }
        TaskCompletionSource<IConnection?>? waiter = _waiter;
        _waiter = null;
        _waiterCancel.Dispose();
        waiter?.TrySetResult(null);
        while (_backlog.TryDequeue(out SimConnection? unaccepted))
        {
            unaccepted.Abort(new IOException("The listener closed before accepting the connection."));
        }
        return ValueTask.CompletedTask;
    }
}
