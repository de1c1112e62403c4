namespace Rpc25519;

/// <summary>Liveness counters of one connection (see <see cref="RpcOptions.ClientKeepAliveInterval"/>).</summary>
/// <param name="LastSent">When a frame was last flushed to the peer; null if never.</param>
/// <param name="LastReceived">When a frame (of any kind) last arrived from the peer; null if never.</param>
/// <param name="KeepAlivesSent">Keep-alive frames sent.</param>
/// <param name="KeepAlivesReceived">Keep-alive frames received.</param>
public sealed record PingStats(
    DateTimeOffset? LastSent,
    DateTimeOffset? LastReceived,
    long KeepAlivesSent,
    long KeepAlivesReceived);
