using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rpc25519.Transport;

namespace Rpc25519;

/// <summary>
/// Settings shared by <see cref="RpcServer"/> and <see cref="RpcClient"/>. Set the properties, then hand the config to
/// a server or client: each takes its own copy and validates it once, so later changes do not affect them.
/// </summary>
/// <remarks>Not thread-safe while being edited; a config handed to a server or client is never mutated by them.</remarks>
public sealed partial class RpcConfig
{
    /// <summary>Default for <see cref="MaxFrameBytes"/>: 64 MiB. Larger data belongs in streams.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024 * 1024;

    /// <summary>Address the server binds, <c>host:port</c>; port 0 picks a free port (see <see cref="RpcServer.StartAsync"/>).
    /// Required by <see cref="RpcServer"/>. Default: empty.</summary>
    public string ServerAddr { get; set; } = "";

    /// <summary>Address the client dials, <c>host:port</c>. Required by <see cref="RpcClient.ConnectAsync"/>. Default: empty.</summary>
    public string ClientDialToHostPort { get; set; } = "";

    /// <summary>Plain TCP with no TLS, for trusted networks only. Default: <see langword="false"/> (TLS 1.3).</summary>
    public bool TcpOnlyNoTls { get; set; }

    /// <summary>
    /// The transport to use instead of the one <see cref="TcpOnlyNoTls"/> selects, e.g. a simulated network.
    /// Default: <see langword="null"/> (choose from the other settings).
    /// </summary>
    public ITransport? Transport { get; set; }

    /// <summary>Largest frame body accepted or sent, in bytes (after compression). Default 64 MiB; at least 4 KiB.
    /// A peer that announces a larger frame has its connection closed.</summary>
    public int MaxFrameBytes { get; set; } = DefaultMaxFrameBytes;

    /// <summary>How long <see cref="RpcClient.SendAndGetReplyAsync"/> waits for a reply when the message has no
    /// <see cref="Messages.Hdr.Deadline"/>. Default 20 s; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</summary>
    public TimeSpan DefaultCallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Interval after which the client sends a keep-alive if it has sent nothing else.
    /// Default <see cref="TimeSpan.Zero"/> (off).</summary>
    public TimeSpan ClientSendKeepAlive { get; set; }

    /// <summary>Interval after which the server sends a keep-alive on a connection if it has sent nothing else.
    /// Default <see cref="TimeSpan.Zero"/> (off).</summary>
    public TimeSpan ServerSendKeepAlive { get; set; }

    /// <summary>A connection that has received nothing (not even a keep-alive) for this long is closed as dead.
    /// Default <see cref="TimeSpan.Zero"/> (off). Set it to a few keep-alive intervals of the other side.</summary>
    public TimeSpan DeadConnectionTimeout { get; set; }

    /// <summary>How long a dial (and any handshake) may take. Default 10 s; <see cref="TimeSpan.Zero"/> means no limit.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames that may wait in one connection's send queue; a sender waits while it is full. Default 4096.</summary>
    public int SendQueueCapacity { get; set; } = 4096;

    /// <summary>Capacity of <see cref="RpcClient.Incoming"/>; when full, the oldest unread message is dropped and a
    /// warning logged. Default 1024.</summary>
    public int IncomingQueueCapacity { get; set; } = 1024;

    /// <summary>How long <see cref="RpcServer.DisposeAsync"/> lets running handlers finish before cancelling them.
    /// Default 5 s.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock for timeouts, deadlines and keep-alives. Default <see cref="TimeProvider.System"/>.
    /// A simulation supplies virtual time here.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The seeded source of non-cryptographic randomness (call IDs, peer IDs). Default: a generator seeded once from the
    /// operating system. Give a <see cref="Random"/> with a fixed seed to make IDs reproducible; the library serializes
    /// access to it.
    /// </summary>
    public Random? Random { get; set; }

    /// <summary>Where the library starts its own work (connection loops, handlers). Default <see cref="TaskScheduler.Default"/>;
    /// a simulation supplies its single-threaded scheduler.</summary>
    public TaskScheduler TaskScheduler { get; set; } = TaskScheduler.Default;

    /// <summary>Logging. Default <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Returns a shallow copy (shared references: transport, clock, random, scheduler, logger factory).</summary>
    public RpcConfig Clone() => (RpcConfig)MemberwiseClone();
}
