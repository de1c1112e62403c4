using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rpc25519.Hosting;

/// <summary>
/// Hands out a shared, connected <see cref="RpcClient"/> and reconnects when it has dropped: an <see cref="RpcClient"/>
/// never reconnects by itself, so code that holds the factory (not the client) always gets a live connection. Failed
/// connects are retried with a growing pause (100 ms doubling to 5 s) until the caller's token fires.
/// </summary>
/// <remarks>Thread-safe: concurrent callers share one connect.</remarks>
public sealed class RpcClientFactory : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private readonly RpcOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private RpcClient? _current;
    private int _disposed;

    /// <summary>Creates the factory; nothing connects until the first <see cref="GetClientAsync"/>.</summary>
    /// <param name="options">The client's options (<see cref="RpcOptions.ServerAddress"/> is required); copied.</param>
    /// <param name="loggerFactory">Where reconnect attempts are logged; null for none.</param>
    public RpcClientFactory(RpcOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RpcClientFactory>();
    }

    /// <summary>Connects made so far (the first one included).</summary>
    public int Connects { get; private set; }

    /// <summary>Returns the connected client, connecting (again) first when there is none or it has dropped.</summary>
    /// <param name="cancellationToken">Stops waiting and retrying.</param>
    /// <exception cref="OperationCanceledException">The token fired before a connection was made.</exception>
    /// <exception cref="ArgumentException">The options are invalid (not retried).</exception>
    public async Task<RpcClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _current) is { IsConnected: true } live)
        {
            return live;
        }
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_current is { IsConnected: true } connected)
            {
                return connected;
            }
            if (_current is { } dropped)
            {
                await dropped.DisposeAsync();
                _current = null;
            }
            TimeSpan pause = FirstRetry;
            while (true)
            {
                try
                {
                    RpcClient client = await RpcClient.ConnectAsync(_options, cancellationToken);
                    Connects++;
                    Volatile.Write(ref _current, client);
                    return client;
                }
                catch (Exception e) when (e is RpcException && !cancellationToken.IsCancellationRequested)
                {
                    HostingLog.Reconnecting(_logger, _options.ServerAddress, e.Message, pause.TotalMilliseconds);
                    await Task.Delay(pause, _options.TimeProvider, cancellationToken);
                    pause = pause * 2 < LongestRetry ? pause * 2 : LongestRetry;
                }
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Closes the current client, if any.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (Interlocked.Exchange(ref _current, null) is { } client)
        {
            await client.DisposeAsync();
        }
        _connecting.Dispose();
    }
}
