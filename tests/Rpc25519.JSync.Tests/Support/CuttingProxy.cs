using System.Net;
using System.Net.Sockets;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>
/// A loopback TCP forwarder for one connection that cuts it (closes both sockets) once more than
/// <c>cutAfterUpBytes</c> bytes went from the client to the server: a network cut in the middle of a transfer,
/// below TLS.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _target;
    private readonly long _cutAfterUpBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _run;
    private TcpClient? _down;
    private TcpClient? _up;

    public CuttingProxy(string target, long cutAfterUpBytes)
    {
        _target = target;
        _cutAfterUpBytes = cutAfterUpBytes;
        _listener.Start();
        _run = RunAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Completes when the proxy cut the connection.</summary>
    public Task Cut => _cut.Task;

    private async Task RunAsync()
    {
        try
        {
            _down = await _listener.AcceptTcpClientAsync(_stop.Token);
            string[] parts = _target.Split(':');
            _up = new TcpClient();
            await _up.ConnectAsync(parts[0], int.Parse(parts[1]), _stop.Token);
            Task upward = PumpAsync(_down.GetStream(), _up.GetStream(), _cutAfterUpBytes);
            Task downward = PumpAsync(_up.GetStream(), _down.GetStream(), long.MaxValue);
            await Task.WhenAny(upward, downward);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
                                       or ObjectDisposedException)
        {
        }
        finally
        {
            _down?.Dispose();
            _up?.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, long limit)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }
                if (total + n > limit)
                {
                    _cut.TrySetResult();
                    return;
                }
                total += n;
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
                                       or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _run;
        _stop.Dispose();
    }
}
