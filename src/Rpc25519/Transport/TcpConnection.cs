using System.IO.Pipelines;
using System.Net.Sockets;

namespace Rpc25519.Transport;

/// <summary>A connected TCP socket exposed as a pair of pipes.</summary>
internal sealed class TcpConnection : IConnection, IDuplexPipe
{
    /// <summary>Read and write buffer size: large enough for a 64 KiB frame to move in few system calls.</summary>
    private const int BufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _closed = new();
    private int _closing;

    public TcpConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        LocalAddress = HostPort.Format("tcp", socket.LocalEndPoint);
        RemoteAddress = HostPort.Format("tcp", socket.RemoteEndPoint);
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(
            bufferSize: BufferBytes, minimumReadSize: 4096, leaveOpen: true));
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(
            minimumBufferSize: BufferBytes, leaveOpen: true));
        ConnectionClosed = _closed.Token;
    }

    public string LocalAddress { get; }

    public string RemoteAddress { get; }

    public IDuplexPipe Transport => this;

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public CancellationToken ConnectionClosed { get; }

    public void Abort(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The peer may already have reset the connection; closing is all that is left to do.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
        _socket.Dispose();
        _closed.Cancel();
    }

    public ValueTask DisposeAsync()
    {
        Abort(null);
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
