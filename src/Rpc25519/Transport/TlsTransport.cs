using Microsoft.Extensions.Logging;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// TLS 1.3 with Ed25519 identities on both ends (the default transport): TLS_CHACHA20_POLY1305_SHA256 only, X25519,
/// a client certificate required, both ends verifying the peer against our CA and the name <c>localhost</c>, then the
/// known-keys lists. Runs over another transport (plain TCP by default).
/// </summary>
/// <remarks>Thread-safe. Key pairs are loaded on the first listen (server pair) or dial (client pair), once per
/// <see cref="TlsOptions"/> instance: make many transports or clients from one <see cref="TlsOptions"/> and a
/// protected key is decrypted (and its pass-phrase asked for) only once.</remarks>
public sealed class TlsTransport : ITransport
{
    private readonly TlsOptions _options;
    private readonly ITransport _inner;
    private readonly TransportEnvironment _environment;
    private readonly bool _nativeAead;
    private readonly Lock _settingsLock = new();
    private TlsSettings? _server;
    private TlsSettings? _client;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">Certificates, key pair names, verification rules and the handshake timeout. Kept by
    /// reference: its loaded keys are shared with every other user of the same object.</param>
    /// <param name="inner">The transport TLS runs over; <see langword="null"/> for plain TCP.</param>
    /// <param name="environment">Clock, scheduler and logging; <see langword="null"/> for
    /// <see cref="TransportEnvironment.Default"/>.</param>
    /// <exception cref="ArgumentException"><see cref="TlsOptions.HandshakeTimeout"/> is negative.</exception>
    public TlsTransport(TlsOptions options, ITransport? inner = null, TransportEnvironment? environment = null)
        : this(options, inner, environment, nativeAead: true)
    {
    }

    /// <summary>Creates the transport, choosing the record cipher implementation (for benchmarks).</summary>
    internal TlsTransport(TlsOptions options, ITransport? inner, TransportEnvironment? environment, bool nativeAead)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HandshakeTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("TlsOptions.HandshakeTimeout must be zero (no limit) or positive.",
                nameof(options));
        }
        _options = options;
        _environment = environment ?? TransportEnvironment.Default;
        _inner = inner ?? new TcpTransport(_environment.LoggerFactory);
        _nativeAead = nativeAead;
    }

    /// <summary>The settings of one side, made on first use; a failed load is retried on the next use.</summary>
    private TlsSettings SettingsFor(bool server)
    {
        lock (_settingsLock)
        {
            if (server)
            {
                return _server ??= new TlsSettings(_options.LoadIdentity(server: true), _nativeAead, _environment);
            }
            return _client ??= new TlsSettings(_options.LoadIdentity(server: false), _nativeAead, _environment);
        }
    }

    /// <inheritdoc />
    /// <exception cref="RpcException">The server key pair or CA cannot be loaded, or the known-clients list is
    /// read-only and empty (it would reject everyone).</exception>
    public async ValueTask<IConnectionListener> ListenAsync(string hostPort,
        CancellationToken cancellationToken = default)
    {
        TlsSettings settings = SettingsFor(server: true);
        settings.Identity.EnsureKnownClientsCanAdmit();
        IConnectionListener listener = await _inner.ListenAsync(hostPort, cancellationToken);
        return new HandshakingListener(listener, (raw, ct) => TlsConnection.AcceptAsync(raw, settings, ct), "TLS",
            settings.HandshakeTimeout, _environment, _environment.LoggerFactory.CreateLogger<TlsTransport>());
    }

    /// <inheritdoc />
    /// <exception cref="AuthenticationRejectedException">We rejected the server or it rejected us; the message says
    /// why.</exception>
    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        TlsSettings settings = SettingsFor(server: false);
        IConnection raw = await _inner.DialAsync(hostPort, cancellationToken);
        try
        {
            return await Diagnostics.RpcMetrics.ClientHandshakeAsync("TLS",
                TlsConnection.ConnectAsync(raw, settings, cancellationToken));
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }
    }
}
