using System.Collections.Concurrent;
using Rpc25519.Messages;
using Rpc25519.Streams;

namespace Rpc25519.Rpc.Streams;

/// <summary>The stream functions a server serves, by kind and name; re-registering a name replaces the function.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class StreamServiceRegistry
{
    public ConcurrentDictionary<string, Func<IAsyncEnumerable<Message>, CancellationToken, ValueTask<Message>>> Upload { get; } =
        new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Func<Message, StreamSender, CancellationToken, ValueTask<Message>>> Download { get; } =
        new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Func<IAsyncEnumerable<Message>, StreamSender, CancellationToken, ValueTask<Message>>>
        Bistream { get; } = new(StringComparer.Ordinal);

    public static void Add<T>(ConcurrentDictionary<string, T> map, string name, T handler) where T : class
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A service name must not be empty.", nameof(name));
        }
        map[name] = handler ?? throw new ArgumentNullException(nameof(handler));
    }
}
