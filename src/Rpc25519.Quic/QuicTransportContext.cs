using Microsoft.Extensions.Logging;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>What every socket and connection of one <see cref="QuicTransport"/> shares: its settings, environment,
/// the loaded native libraries and the two sides' handshake settings (loaded on first use).</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class QuicTransportContext(QuicOptions options, TlsOptions tls, TransportEnvironment environment,
    QuicLibrary.Handles native)
{
    private readonly Lock _lock = new();
    private QuicSide? _server;
    private QuicSide? _client;

    public QuicOptions Options { get; } = options;

    public TransportEnvironment Environment { get; } = environment;

    public QuicLibrary.Handles Native { get; } = native;

    public ILogger Logger { get; } = environment.LoggerFactory.CreateLogger("Rpc25519.Transport.Quic");

    /// <summary>ngtcp2's clock: nanoseconds from the <see cref="TimeProvider"/>'s timestamp.</summary>
    public ulong Now()
    {
        TimeProvider time = Environment.TimeProvider;
        return (ulong)((UInt128)(ulong)time.GetTimestamp() * 1_000_000_000UL / (ulong)time.TimestampFrequency);
    }

    /// <summary>The handshake settings of one side; a failed load is retried on the next use.</summary>
    /// <exception cref="RpcException">The key pair or CA cannot be loaded.</exception>
    public QuicSide Side(bool server)
    {
        lock (_lock)
        {
            if (server)
            {
                return _server ??= new QuicSide(tls.LoadIdentity(server: true), true, Options, Environment);
            }
            return _client ??= new QuicSide(tls.LoadIdentity(server: false), false, Options, Environment);
        }
    }
}
