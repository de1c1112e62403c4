using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rpc25519.Peers;
using Rpc25519.Transport;

namespace Rpc25519;

/// <summary>
/// Settings shared by <see cref="RpcServer"/> and <see cref="RpcClient"/> (Go: <c>Config</c>), in the .NET options
/// style: set the properties (or bind them from configuration), then hand the object to a server or client, which
/// takes its own copy and validates it once, so later changes do not affect it. Each layer has its own section:
/// <see cref="Tls"/>, <see cref="PreSharedKey"/>, <see cref="Peers"/>.
/// </summary>
/// <remarks>Not thread-safe while being edited; options handed to a server or client are never mutated by them.</remarks>
public sealed partial class RpcOptions
{
    /// <summary>Default for <see cref="MaxFrameBytes"/>: 64 MiB. Larger data belongs in streams.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024 * 1024;

    /// <summary>Address the server binds, <c>host:port</c>; port 0 picks a free port (see <see cref="RpcServer.StartAsync"/>).
    /// Required by <see cref="RpcServer"/>. Default: empty.</summary>
    public string ListenAddress { get; set; } = "";

    /// <summary>Address the client dials, <c>host:port</c>. Required by <see cref="RpcClient.ConnectAsync"/>. Default: empty.</summary>
    public string ServerAddress { get; set; } = "";

    /// <summary>The transport: TLS 1.3 (default) or plain TCP. Ignored when <see cref="CustomTransport"/> is set.
    /// (Go: <c>TCPonly_no_TLS</c>; config files still accept that name.)</summary>
    public TransportKind Transport { get; set; } = TransportKind.Tls;

    /// <summary>TLS settings: certificates, key pair names, known keys, pass-phrases, handshake timeout. Used when
    /// <see cref="Transport"/> is <see cref="TransportKind.Tls"/>.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>The optional pre-shared-key layer over TLS or TCP; off unless <see cref="PskOptions.Path"/> is
    /// set.</summary>
    public PskOptions PreSharedKey { get; set; } = new();

    /// <summary>Settings of the Peer/Circuit/Fragment API.</summary>
    public PeerOptions Peers { get; set; } = new();

    /// <summary>
    /// A transport to use instead of the one <see cref="Transport"/> selects, e.g. a simulated network or a transport
    /// built once and shared by many clients. Default: <see langword="null"/> (build one from the other settings).
    /// </summary>
    public ITransport? CustomTransport { get; set; }

    /// <summary>Largest frame body accepted or sent, in bytes (after compression). Default 64 MiB; at least 4 KiB.
    /// A peer that announces a larger frame has its connection closed.</summary>
    public int MaxFrameBytes { get; set; } = DefaultMaxFrameBytes;

    /// <summary>How long <see cref="RpcClient.CallAsync"/> waits for a reply when the message has no
    /// <see cref="Messages.MessageHeader.Deadline"/>. Default 20 s; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</summary>
    public TimeSpan DefaultCallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Interval after which the client sends a keep-alive if it has sent nothing else (Go:
    /// <c>ClientSendKeepAlive</c>).
    /// Default <see cref="TimeSpan.Zero"/> (off).</summary>
    public TimeSpan ClientKeepAliveInterval { get; set; }

    /// <summary>Interval after which the server sends a keep-alive on a connection if it has sent nothing else (Go:
    /// <c>ServerSendKeepAlive</c>).
    /// Default <see cref="TimeSpan.Zero"/> (off).</summary>
    public TimeSpan ServerKeepAliveInterval { get; set; }

    /// <summary>A connection that has received nothing (not even a keep-alive) for this long is closed as dead.
    /// Default <see cref="TimeSpan.Zero"/> (off). Set it to a few keep-alive intervals of the other side.</summary>
    public TimeSpan DeadConnectionTimeout { get; set; }

    /// <summary>How long a dial (and any handshake) may take. Default 10 s; <see cref="TimeSpan.Zero"/> means no limit.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames that may wait in one connection's send queue; a sender waits while it is full. Default 4096.</summary>
    public int SendQueueCapacity { get; set; } = 4096;

    /// <summary>
    /// The server stops reading a client's requests while it holds more than this many bytes for that client —
    /// requests waiting for or running in a handler, and replies and pushes not yet sent (payloads plus a small
    /// allowance per message) — and reads again once half of that is gone. TCP then holds back a client that sends
    /// faster than it reads or than the handlers keep up, instead of the server buffering for it without bound. Other
    /// clients are not affected. Default 8 MiB; 0 turns it off.
    /// </summary>
    public long MaxBufferedBytesPerConnection { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The budget that large requests arriving at a server (64 KiB or more once decompressed) take their size from
    /// while they are decompressed, decoded and handled; when it is spent, client connections wanting more stop being
    /// read until earlier requests are done, in arrival order. Default <see cref="MemoryBudget.Shared"/>, one for the whole process (a
    /// quarter of the memory the GC may use, 64 MiB to 1 GiB); give a server its own to keep it apart.
    /// </summary>
    public MemoryBudget DecodeBudget { get; set; } = MemoryBudget.Shared;

    /// <summary>Capacity of <see cref="RpcClient.Incoming"/>; when full, the oldest unread message is dropped and a
    /// warning logged. Default 1024.</summary>
    public int IncomingQueueCapacity { get; set; } = 1024;

    /// <summary>When a server or client stops: running handlers (and peer service functions) have their cancellation
    /// token fired at once, then get up to this long to return (a handler that returns in time still has its reply
    /// sent) before the connections close. Default 5 s.</summary>
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

    /// <summary>
    /// Returns a copy. <see cref="PreSharedKey"/> and <see cref="Peers"/> are copied; <see cref="Tls"/> is shared on
    /// purpose, so that the copies load the key pair once between them; the transport, clock, random source, scheduler
    /// and logger factory are shared references.
    /// </summary>
    public RpcOptions Clone()
    {
        var copy = (RpcOptions)MemberwiseClone();
        copy.PreSharedKey = PreSharedKey.Clone();
        copy.Peers = Peers.Clone();
        return copy;
    }
}
