using Microsoft.Extensions.Logging;

namespace Rpc25519.Transport;

/// <summary>
/// The pre-shared-key layer (<see cref="PskOptions"/>) over another transport, TLS or plain TCP: an ephemeral X25519
/// exchange mixed with the pre-shared key, then ChaCha20-Poly1305 on every record. Ends with different keys fail the
/// handshake with <see cref="AuthenticationRejectedException"/> on both sides.
/// </summary>
/// <remarks>Thread-safe. The key file is read once, when the transport is made.</remarks>
public sealed class PskTransport : ITransport
{
    private readonly ITransport _inner;
    private readonly byte[] _psk;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TransportEnvironment _environment;

    /// <summary>Where the node keys come from when the handshake is signed; null when it is not.</summary>
    private readonly TlsOptions? _signWith;

    /// <summary>Creates the layer.</summary>
    /// <param name="options">The key file, the handshake timeout and whether the handshake is signed.</param>
    /// <param name="inner">The transport the layer runs over.</param>
    /// <param name="environment">Clock, scheduler and logging; <see langword="null"/> for
    /// <see cref="TransportEnvironment.Default"/>.</param>
    /// <param name="nodeKeys">The certificates and keys that sign the handshake when
    /// <see cref="PskOptions.SignWithNodeKey"/> is set (loaded once, on first use).</param>
    /// <exception cref="RpcException">The key file is missing or shorter than 32 bytes.</exception>
    /// <exception cref="ArgumentException">The handshake timeout is negative, or signing is asked for without
    /// <paramref name="nodeKeys"/>.</exception>
    public PskTransport(PskOptions options, ITransport inner, TransportEnvironment? environment = null,
        TlsOptions? nodeKeys = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inner);
        if (options.HandshakeTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("PskOptions.HandshakeTimeout must be zero (no limit) or positive.",
                nameof(options));
        }
        _inner = inner;
        _environment = environment ?? TransportEnvironment.Default;
        _handshakeTimeout = options.HandshakeTimeout;
        if (options.SignWithNodeKey && nodeKeys is null)
        {
            throw new ArgumentException("PskOptions.SignWithNodeKey needs the node keys: pass the TlsOptions that " +
                "name the certificate directory and key pairs.", nameof(nodeKeys));
        }
        _signWith = options.SignWithNodeKey ? nodeKeys : null;
        _psk = PskKeys.ReadFile(options.Path);
    }

    /// <inheritdoc />
    public async ValueTask<IConnectionListener> ListenAsync(string hostPort,
        CancellationToken cancellationToken = default)
    {
        TlsIdentity? identity = _signWith?.LoadIdentity(server: true);
        IConnectionListener listener = await _inner.ListenAsync(hostPort, cancellationToken);
        return new HandshakingListener(listener,
            (raw, ct) => PskConnection.AcceptAsync(raw, _psk, identity, _environment, ct),
            "pre-shared-key", _handshakeTimeout, _environment, _environment.LoggerFactory.CreateLogger<PskTransport>());
    }

    /// <inheritdoc />
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ.</exception>
    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        TlsIdentity? identity = _signWith?.LoadIdentity(server: false);
        IConnection raw = await _inner.DialAsync(hostPort, cancellationToken);
        try
        {
            return await Diagnostics.RpcMetrics.ClientHandshakeAsync("pre-shared-key",
                PskConnection.ConnectAsync(raw, _psk, identity, _environment, cancellationToken));
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }
    }
}
