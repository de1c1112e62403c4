using System.Collections.Concurrent;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>The functions a server serves, by kind and name. Registration may happen before or after start;
/// re-registering a name replaces the function.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServiceRegistry
{
    private readonly ConcurrentDictionary<string, Func<Message, CancellationToken, ValueTask>> _oneWay =
        new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Func<Message, CancellationToken, ValueTask<Message>>> _twoWay =
        new(StringComparer.Ordinal);

    public void AddOneWay(string name, Func<Message, CancellationToken, ValueTask> handler) =>
        _oneWay[CheckName(name)] = handler ?? throw new ArgumentNullException(nameof(handler));

    public void AddTwoWay(string name, Func<Message, CancellationToken, ValueTask<Message>> handler) =>
        _twoWay[CheckName(name)] = handler ?? throw new ArgumentNullException(nameof(handler));

    public bool TryGetOneWay(string name, out Func<Message, CancellationToken, ValueTask> handler) =>
        _oneWay.TryGetValue(name, out handler!);

    public bool TryGetTwoWay(string name, out Func<Message, CancellationToken, ValueTask<Message>> handler) =>
        _twoWay.TryGetValue(name, out handler!);

    private static string CheckName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A service name must not be empty.", nameof(name));
        }
        return name;
    }
}
