using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rpc25519.Bench.Targets;

/// <summary>
/// The hard limit: length-prefixed ping-pong over a bare socket with a dedicated thread per side doing blocking
/// receives and sends, so a round trip costs two syscalls per side and no thread hop at all. (The async raw-TCP target
/// pays for the thread pool and is not the limit.)
/// </summary>
internal sealed class BlockingRawTcpTarget : IEchoTarget
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private Thread? _acceptThread;

    public const string TargetName = "raw TCP blocking";

    public string Name => TargetName;

    public bool SupportsConcurrentCallers => false;

    public Task StartAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "blocking raw TCP accept" };
        _acceptThread.Start();
        return Task.CompletedTask;
    }

    public Task<IEchoClient> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(_listener.LocalEndPoint!);
        return Task.FromResult<IEchoClient>(new Client(socket));
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        _acceptThread?.Join(TimeSpan.FromSeconds(5));
        return ValueTask.CompletedTask;
    }

    private void AcceptLoop()
    {
        try
        {
            while (true)
            {
                Socket socket = _listener.Accept();
                socket.NoDelay = true;
                new Thread(() => Serve(socket)) { IsBackground = true, Name = "blocking raw TCP server" }.Start();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private static void Serve(Socket socket)
    {
        byte[] buffer = new byte[1024 * 1024];
        try
        {
            int length;
            while ((length = ReadMessage(socket, buffer)) >= 0)
            {
                socket.Send(buffer, 0, 4 + length, SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Client gone.
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Reads one length-prefixed message (greedily); -1 at end of stream.</summary>
    private static int ReadMessage(Socket socket, byte[] buffer)
    {
        int have = 0;
        int need = 4;
        while (have < need)
        {
            int read = socket.Receive(buffer, have, buffer.Length - have, SocketFlags.None);
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

    /// <summary>Blocking calls on the caller's thread: the benchmark loop never yields, as a dedicated thread would.</summary>
    private sealed class Client(Socket socket) : IEchoClient
    {
        private readonly byte[] _buffer = new byte[1024 * 1024];

        public ValueTask EchoAsync(byte[] payload)
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer, payload.Length);
            payload.CopyTo(_buffer, 4);
            socket.Send(_buffer, 0, 4 + payload.Length, SocketFlags.None);
            if (ReadMessage(socket, _buffer) != payload.Length)
            {
                throw new InvalidOperationException("blocking raw echo returned the wrong length");
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
