using Microsoft.Extensions.Logging;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// TLS 1.3 with Ed25519 identities on both ends (the default transport): TLS_CHACHA20_POLY1305_SHA256 only, X25519,
/// a client certificate required, both ends verifying the peer against our CA and the name <c>localhost</c>, then the
/// known-keys lists. Runs over another transport (plain TCP by default).
/// </summary>
/// <remarks>Thread-safe. Key pairs are loaded on the first listen (server pair) or dial (client pair), asking for a
/// pass-phrase then if a key file is protected.</remarks>
public sealed class TlsTransport : ITransport
{
    private readonly RpcConfig _config;
    private readonly ITransport _inner;
    private readonly Lazy<TlsSettings> _server;
    private readonly Lazy<TlsSettings> _client;

    /// <summary>Creates the transport from the security settings of <paramref name="config"/>.</summary>
    /// <param name="config">Supplies <see cref="RpcConfig.CertPath"/>, the key pair names, SkipVerifyKeys, the
    /// known-keys paths, the pass-phrase callback, the handshake timeout, clock, scheduler and logging.</param>
    /// <param name="inner">The transport TLS runs over; <see langword="null"/> for plain TCP.</param>
    public TlsTransport(RpcConfig config, ITransport? inner = null) : this(config, inner, nativeAead: true)
    {
    }

    /// <summary>Creates the transport, choosing the record cipher implementation (for benchmarks).</summary>
    internal TlsTransport(RpcConfig config, bool nativeAead) : this(config, null, nativeAead)
    {
    }

    private TlsTransport(RpcConfig config, ITransport? inner, bool nativeAead)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.HandshakeTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("RpcConfig.HandshakeTimeout must be zero (no limit) or positive.",
                nameof(config));
        }
        _config = config.Clone();
        _inner = inner ?? new TcpTransport(_config.LoggerFactory);
        _server = new Lazy<TlsSettings>(() => TlsSettings.Load(_config, server: true, nativeAead));
        _client = new Lazy<TlsSettings>(() => TlsSettings.Load(_config, server: false, nativeAead));
    }

    /// <inheritdoc />
    /// <exception cref="RpcException">The server key pair or CA cannot be loaded, or the known-clients list is
    /// read-only and empty (it would reject everyone).</exception>
    public async ValueTask<IConnectionListener> ListenAsync(string hostPort,
        CancellationToken cancellationToken = default)
    {
        TlsSettings settings = _server.Value;
        if (KnownKeys.Open(settings.KnownKeysPath) is { } known && !known.IsWritable && known.ReadKeys().Count == 0)
        {
            throw new RpcException($"The known-clients list '{known.Path}' is read-only and empty, so every client " +
                "would be rejected; add keys to it, make it writable (trust on first use), or remove it.");
        }
        IConnectionListener listener = await _inner.ListenAsync(hostPort, cancellationToken);
        return new HandshakingListener(listener, (raw, ct) => TlsConnection.AcceptAsync(raw, settings, ct), "TLS",
            settings.HandshakeTimeout, _config.TimeProvider, _config.TaskScheduler,
            _config.LoggerFactory.CreateLogger<TlsTransport>());
    }

    /// <inheritdoc />
    /// <exception cref="AuthenticationRejectedException">We rejected the server or it rejected us; the message says
    /// why.</exception>
    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        TlsSettings settings = _client.Value;
        IConnection raw = await _inner.DialAsync(hostPort, cancellationToken);
        try
        {
            return await TlsConnection.ConnectAsync(raw, settings, cancellationToken);
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }
    }
}
