using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rpc25519.Bench.Targets;

/// <summary>The limit: length-prefixed ping-pong over a bare socket, no framing library, no serialization.</summary>
internal sealed class RawTcpTarget : IEchoTarget
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;

    public const string TargetName = "raw TCP ping-pong";

    public string Name => TargetName;

    public bool SupportsConcurrentCallers => false;

    public Task StartAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _acceptLoop = AcceptLoopAsync();
        return Task.CompletedTask;
    }

    public async Task<IEchoClient> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_listener.LocalEndPoint!);
        return new Client(socket);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket = await _listener.AcceptAsync(_stop.Token);
            socket.NoDelay = true;
            _ = ServeAsync(socket);
        }
    }

    private static async Task ServeAsync(Socket socket)
    {
        byte[] buffer = new byte[1024 * 1024];
        try
        {
            while (true)
            {
                int length = await ReadMessageAsync(socket, buffer);
                if (length < 0)
                {
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, 4 + length));
            }
        }
        catch (SocketException)
        {
            // Client gone.
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Reads one length-prefixed message into <paramref name="buffer"/>; -1 at end of stream. Reads greedily (one
    /// receive usually brings header and body together), which is what makes this the limit to compare with.
    /// </summary>
    private static async ValueTask<int> ReadMessageAsync(Socket socket, byte[] buffer)
    {
        int have = 0;
        int need = 4;
        while (have < need)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(have));
            if (read == 0)
            {
                return -1;
            }
            have += read;
            if (have >= 4)
            {
                need = 4 + BinaryPrimitives.ReadInt32BigEndian(buffer);
            }
        }
        return need - 4;
    }

    private sealed class Client(Socket socket) : IEchoClient
    {
        private readonly byte[] _buffer = new byte[1024 * 1024];

        public async ValueTask EchoAsync(byte[] payload)
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer, payload.Length);
            payload.CopyTo(_buffer, 4);
            await socket.SendAsync(_buffer.AsMemory(0, 4 + payload.Length));
            if (await ReadMessageAsync(socket, _buffer) != payload.Length)
            {
                throw new InvalidOperationException("raw echo returned the wrong length");
            }
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
