using System.Net;
using System.Net.Sockets;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>
/// QUIC (RFC 9000) over UDP through ngtcp2 and GnuTLS, with the TLS transport's security: TLS 1.3 only,
/// TLS_CHACHA20_POLY1305_SHA256 only, X25519, Ed25519 certificates from selfy on both ends, our CA, the name
/// <c>localhost</c> and the known-keys lists, checked by our own code. ALPN <c>rpc25519</c>. One QUIC connection per
/// <see cref="IConnection"/>, with one bidirectional stream carrying the usual frames. Addresses are
/// <c>udp://ip:port</c> (or plain <c>ip:port</c>).
/// </summary>
/// <remarks>
/// <para>Thread-safe. By default the transport keeps one UDP socket: a server listening through it and the clients
/// dialing through it share the server's port (see <see cref="QuicOptions.NoSharePort"/>). The socket closes when its
/// listener and all its connections are closed.</para>
/// <para>Needs the Debian packages named by <see cref="QuicLibraryMissingException.DebianPackages"/>; making the
/// transport throws <see cref="QuicLibraryMissingException"/> when they are missing.</para>
/// </remarks>
public sealed class QuicTransport : ITransport
{
    private readonly QuicTransportContext _context;
    private readonly Lock _lock = new();
    /// <summary>The socket dials share (the listener's, or the first dial's); null when none is open.</summary>
    private QuicEndpoint? _shared;

    /// <summary>Creates the transport.</summary>
    /// <param name="options">QUIC settings; <see langword="null"/> for the defaults. Copied.</param>
    /// <param name="tls">Certificates, key pair names and verification rules, exactly as for the TLS transport. Kept by
    /// reference: its loaded keys are shared with every other user of the same object.</param>
    /// <param name="environment">Clock, scheduler and logging; <see langword="null"/> for
    /// <see cref="TransportEnvironment.Default"/>.</param>
    /// <exception cref="QuicLibraryMissingException">ngtcp2 0.12 or GnuTLS 3.7 is not installed.</exception>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is out of range.</exception>
    public QuicTransport(QuicOptions? options, TlsOptions tls, TransportEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(tls);
        QuicOptions copy = options?.Clone() ?? new QuicOptions();
        copy.Validate();
        _context = new QuicTransportContext(copy, tls, environment ?? TransportEnvironment.Default,
            QuicLibrary.Ensure());
    }

    /// <summary>The version of the loaded ngtcp2 library, e.g. <c>0.12.1</c>.</summary>
    public string NativeVersion => _context.Native.Version;

    /// <inheritdoc />
    /// <exception cref="RpcException">The server key pair or CA cannot be loaded, or the known-clients list is
    /// read-only and empty (it would reject everyone).</exception>
    public async ValueTask<IConnectionListener> ListenAsync(string hostPort,
        CancellationToken cancellationToken = default)
    {
        _context.Side(server: true).EnsureKnownClientsCanAdmit();
        IPEndPoint address = await ResolveAsync(hostPort, cancellationToken);
        QuicEndpoint endpoint = QuicEndpoint.Bind(address, _context, ForgetShared);
        var state = new QuicListenerState(512);
        endpoint.Attach(state);
        if (!_context.Options.NoSharePort)
        {
            lock (_lock)
            {
                _shared = endpoint;
            }
        }
        return new QuicConnectionListener(endpoint, state);
    }

    /// <inheritdoc />
    /// <exception cref="AuthenticationRejectedException">We rejected the server or it rejected us; the message says
    /// why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the handshake
    /// finished (<see cref="RpcClient"/> turns its ConnectTimeout into this).</exception>
    public async ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        QuicSide side = _context.Side(server: false);
        IPEndPoint remote = await ResolveAsync(hostPort, cancellationToken);
        QuicEndpoint endpoint = EndpointForDial(remote);
        QuicConnection connection;
        try
        {
            connection = QuicConnection.CreateClient(endpoint, side, remote);
        }
        catch
        {
            endpoint.EndDial(remote);
            await endpoint.Release();
            throw;
        }
        try
        {
            await connection.Established.WaitAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The shared socket with a reference taken and <paramref name="remote"/> claimed on it, or a new socket
    /// (shared from now on unless sharing is off). A second client of this transport to a server that a client on the
    /// shared socket already reaches gets a socket of its own, so the server sees two addresses.</summary>
    private QuicEndpoint EndpointForDial(IPEndPoint remote)
    {
        bool sharedIsTaken = false;
        if (!_context.Options.NoSharePort)
        {
            QuicEndpoint? taken = null;
            lock (_lock)
            {
                if (_shared is { } shared && shared.EndPoint.AddressFamily == remote.AddressFamily
                    && shared.TryAddReference())
                {
                    if (shared.TryBeginDial(remote))
                    {
                        return shared;
                    }
                    taken = shared;
                }
            }
            if (taken is not null)
            {
                sharedIsTaken = true;
                _ = taken.Release(); // others hold it open: this does not close it
            }
        }
        IPAddress local = IPAddress.IsLoopback(remote.Address)
            ? remote.Address
            : remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        QuicEndpoint created = QuicEndpoint.Bind(new IPEndPoint(local, 0), _context, ForgetShared);
        created.TryBeginDial(remote);
        if (!_context.Options.NoSharePort && !sharedIsTaken)
        {
            lock (_lock)
            {
                _shared ??= created;
            }
        }
        return created;
    }

    private void ForgetShared(QuicEndpoint endpoint)
    {
        lock (_lock)
        {
            if (_shared == endpoint)
            {
                _shared = null;
            }
        }
    }

    private static async ValueTask<IPEndPoint> ResolveAsync(string hostPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hostPort);
        int scheme = hostPort.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0 && !hostPort.StartsWith("udp://", StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcTransportException($"Address '{hostPort}' is not a QUIC address; write it as " +
                "udp://127.0.0.1:5000 or 127.0.0.1:5000.");
        }
        (string host, int port) = HostPort.Split(hostPort);
        IPAddress[] addresses = await HostPort.ResolveAsync(host, cancellationToken);
        return new IPEndPoint(addresses[0], port);
    }
}
