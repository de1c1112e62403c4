using Microsoft.Extensions.Logging;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// The pre-shared-key layer (<see cref="RpcConfig.PreSharedKeyPath"/>) over another transport, TLS or plain TCP:
/// an ephemeral X25519 exchange mixed with the pre-shared key, then ChaCha20-Poly1305 on every record. Ends with
/// different keys fail the handshake with <see cref="AuthenticationRejectedException"/> on both sides.
/// </summary>
/// <remarks>Thread-safe. The key file is read once, when the transport is made.</remarks>
public sealed class PskTransport : ITransport
{
    private readonly RpcConfig _config;
    private readonly ITransport _inner;
    private readonly byte[] _psk;

    /// <summary>Creates the layer.</summary>
    /// <param name="config">Supplies <see cref="RpcConfig.PreSharedKeyPath"/>, the handshake timeout, clock,
    /// scheduler and logging.</param>
    /// <param name="inner">The transport the layer runs over.</param>
    /// <exception cref="RpcException">The key file is missing or shorter than 32 bytes.</exception>
    public PskTransport(RpcConfig config, ITransport inner)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(inner);
        _config = config.Clone();
        _inner = inner;
        _psk = PskKeys.ReadFile(config.PreSharedKeyPath);
    }

    /// <inheritdoc />
    public async ValueTask<IConnectionListener> ListenAsync(string hostPort,
        CancellationToken cancellationToken = default)
    {
        IConnectionListener listener = await _inner.ListenAsync(hostPort, cancellationToken);
        return new HandshakingListener(listener, (raw, ct) => PskConnection.AcceptAsync(raw, _psk, _config, ct),
            "pre-shared-key", _config.HandshakeTimeout, _config.TimeProvider, _config.TaskScheduler,
            _config.LoggerFactory.CreateLogger<PskTransport>());
    }

    /// <inheritdoc />
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ.</exception>
    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        IConnection raw = await _inner.DialAsync(hostPort, cancellationToken);
        try
        {
            return await PskConnection.ConnectAsync(raw, _psk, _config, cancellationToken);
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }
    }
}
