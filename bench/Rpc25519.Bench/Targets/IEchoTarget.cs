namespace Rpc25519.Bench.Targets;

/// <summary>A system under test: a loopback echo server and a way to connect clients to it.</summary>
internal interface IEchoTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Whether many callers may share one connection (raw TCP ping-pong cannot).</summary>
    bool SupportsConcurrentCallers { get; }

    Task StartAsync();

    Task<IEchoClient> ConnectAsync();
}

/// <summary>One connection to an echo server.</summary>
internal interface IEchoClient : IAsyncDisposable
{
    /// <summary>Sends <paramref name="payload"/> and returns when the same number of bytes came back.</summary>
    ValueTask EchoAsync(byte[] payload);
}
