using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Rpc25519.Tests.Integration;

/// <summary>Collects formatted log messages.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IReadOnlyCollection<string> Messages => _messages;

    public ILoggerFactory Factory() => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public async Task WaitForAsync(Func<string, bool> match)
    {
        for (int i = 0; i < 200 && !_messages.Any(match); i++)
        {
            await Task.Delay(50);
        }
        Assert.Contains(_messages, m => match(m));
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => owner._messages.Enqueue(formatter(state, exception));
    }
}

/// <summary>A loopback TCP proxy for one connection that flips one bit of the client-to-server stream (at offset
/// <c>flipAt</c>; <see cref="long.MaxValue"/> for none) and, with a <c>gatherDownstream</c> window, forwards the
/// server's bytes in batches: what arrives within the window after the first byte of a batch goes on in one
/// write.</summary>
internal sealed class FlippingProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public FlippingProxy(IPEndPoint target, long flipAt, TimeSpan gatherDownstream = default)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _run = RunAsync(target, flipAt, gatherDownstream);
    }

    public IPEndPoint EndPoint { get; }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            await _run;
        }
        catch (Exception)
        {
        }
    }

    private async Task RunAsync(IPEndPoint target, long flipAt, TimeSpan gatherDownstream)
    {
        using Socket client = await _listener.AcceptAsync(_stop.Token);
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await server.ConnectAsync(target, _stop.Token);
        Task up = PumpAsync(client, server, flipAt, TimeSpan.Zero);
        Task down = PumpAsync(server, client, long.MaxValue, gatherDownstream);
        await Task.WhenAny(up, down);
    }

    private async Task PumpAsync(Socket from, Socket to, long flipAt, TimeSpan gather)
    {
        byte[] buffer = new byte[65536];
        long offset = 0;
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                if (flipAt >= offset && flipAt < offset + n)
                {
                    buffer[flipAt - offset] ^= 0x20;
                }
                offset += n;
                if (gather > TimeSpan.Zero)
                {
                    n = await GatherAsync(from, buffer, n, gather);
                }
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Receives more into <paramref name="buffer"/> after its first <paramref name="count"/> bytes until
    /// <paramref name="window"/> has passed or it is full; returns the bytes it holds.</summary>
    private async Task<int> GatherAsync(Socket from, byte[] buffer, int count, TimeSpan window)
    {
        using var more = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        more.CancelAfter(window);
        try
        {
            int n;
            while (count < buffer.Length
                && (n = await from.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None, more.Token)) > 0)
            {
                count += n;
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            // The window is over: send what was gathered.
        }
        return count;
    }
}

internal static class CancellationTokenExtensions
{
    public static async Task WaitHandleAsync(this CancellationToken token, TimeSpan timeout)
    {
        var done = new TaskCompletionSource();
        using CancellationTokenRegistration registration = token.Register(() => done.TrySetResult());
        await done.Task.WaitAsync(timeout);
    }
}
