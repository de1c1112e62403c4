using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Streams;

/// <summary>What a client's <see cref="Uploader"/>, <see cref="Downloader"/> and <see cref="Bistreamer"/> share: the
/// stream's call ID, its final reply, and cancel-on-dispose.</summary>
public abstract class ClientStream : IAsyncDisposable
{
    private protected ClientStream(OpenStream stream)
    {
        Stream = stream;
    }

    private protected OpenStream Stream { get; }

    /// <summary>The stream's call ID.</summary>
    public string CallId => Stream.CallId;

    /// <summary>The server's final reply (check <see cref="Message.Error"/>). Fails if the connection is lost, the
    /// stream is cancelled, or the server has no such function. Completes early if the server's function ends early.</summary>
    public Task<Message> Reply => Stream.Reply!.Task;

    /// <summary>Cancels the stream on both sides if it has not finished; harmless afterwards.</summary>
    public ValueTask DisposeAsync()
    {
        Stream.Cancel();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
