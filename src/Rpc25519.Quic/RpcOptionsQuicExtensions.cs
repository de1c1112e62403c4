namespace Rpc25519.Transport.Quic;

/// <summary>Chooses QUIC for a server or client: <c>options.UseQuic()</c>.</summary>
public static class RpcOptionsQuicExtensions
{
    /// <summary>
    /// Sets <see cref="RpcOptions.CustomTransport"/> to a new <see cref="QuicTransport"/> built from
    /// <paramref name="options"/>' TLS settings, clock, scheduler and logging. A server and the clients made from these
    /// options (or their clones) then share one UDP port unless <see cref="QuicOptions.NoSharePort"/> is set.
    /// </summary>
    /// <param name="options">The options to change; returned for chaining.</param>
    /// <param name="quic">QUIC settings; <see langword="null"/> for the defaults.</param>
    /// <remarks>When <see cref="RpcOptions.PreSharedKey"/> is enabled at the time of this call, the pre-shared-key layer
    /// runs over QUIC (as it runs over TLS): set the key before calling this method.</remarks>
    /// <exception cref="ArgumentException"><see cref="RpcOptions.Transport"/> is <see cref="TransportKind.Tcp"/>:
    /// QUIC always encrypts, so asking for plain TCP and QUIC together is a contradiction.</exception>
    /// <exception cref="QuicLibraryMissingException">ngtcp2 0.12 or GnuTLS 3.7 is not installed.</exception>
    public static RpcOptions UseQuic(this RpcOptions options, QuicOptions? quic = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Transport == TransportKind.Tcp)
        {
            throw new ArgumentException("RpcOptions.Transport is Tcp (no encryption), but QUIC always runs TLS 1.3; " +
                "choose one: leave Transport at Tls and call UseQuic(), or do not call UseQuic().", nameof(options));
        }
        var environment = new TransportEnvironment(options.TimeProvider, options.TaskScheduler, options.LoggerFactory);
        ITransport transport = new QuicTransport(quic, options.Tls, environment);
        options.CustomTransport = options.PreSharedKey.IsEnabled
            ? new PskTransport(options.PreSharedKey, transport, environment, options.Tls)
            : transport;
        return options;
    }
}
