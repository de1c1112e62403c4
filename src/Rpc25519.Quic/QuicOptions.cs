namespace Rpc25519.Transport.Quic;

/// <summary>
/// Settings of the QUIC transport (<see cref="QuicTransport"/>). Certificates, keys and peer verification come from
/// the same <see cref="TlsOptions"/> the TLS transport uses.
/// </summary>
/// <remarks>Not thread-safe while being edited; a transport checks and copies the values when it is made.</remarks>
public sealed class QuicOptions
{
    /// <summary>Smallest allowed <see cref="StreamWindowBytes"/>: 64 KiB.</summary>
    public const int MinStreamWindowBytes = 64 * 1024;

    /// <summary>
    /// A connection on which nothing at all arrives for this long is closed (QUIC's idle timeout; each side proposes
    /// one and the shorter applies). While a connection is healthy the transport sends a QUIC PING every quarter of
    /// this, so an idle but live connection is never closed — unlike the original's, which died after 30 s without
    /// traffic. Default 60 s; <see cref="TimeSpan.Zero"/> means no idle timeout (and no PINGs): only our own
    /// keep-alives (<see cref="RpcOptions.DeadConnectionTimeout"/>) then notice a vanished peer.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a handshake may take on either side before the connection is dropped. A dial is also bounded
    /// by <see cref="RpcOptions.ConnectTimeout"/>. Default 10 s; must be positive.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Flow-control window of the one stream of a connection, in bytes, in each direction: how much a peer may send
    /// before we have read it, and how much unacknowledged data we keep for resending. Memory per established
    /// connection is about twice this. Default 1 MiB; at least <see cref="MinStreamWindowBytes"/>.
    /// </summary>
    public int StreamWindowBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most incoming connections a listening socket keeps while their handshake is unfinished; Initial packets that
    /// would start more are dropped (the client resends them), so a flood of Initial packets cannot grow memory
    /// without bound. <see cref="AddressValidation"/> decides when new clients must first answer a Retry. Default 256;
    /// at least 1.
    /// </summary>
    public int MaxHalfOpenConnections { get; set; } = 256;

    /// <summary>
    /// When a listening socket asks new clients to prove their address with a Retry packet (RFC 9000 §8.1.2) before it
    /// keeps any state for them. Default <see cref="QuicAddressValidation.WhenBusy"/>: once half of
    /// <see cref="MaxHalfOpenConnections"/> handshakes are unfinished, so a flood of Initial packets from forged
    /// addresses fills at most half the slots and real clients, which answer the Retry, get the rest.
    /// </summary>
    public QuicAddressValidation AddressValidation { get; set; } = QuicAddressValidation.WhenBusy;

    /// <summary>How long a Retry token stays valid: a client must come back with it within this time. Default 10 s;
    /// must be positive.</summary>
    public TimeSpan RetryTokenLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Turns port sharing off. By default a <see cref="QuicTransport"/> keeps one UDP socket for everything it does:
    /// a server listening through it and the clients dialing through it (for example a server and clients made from
    /// the same <see cref="RpcOptions"/> or its clones) use the server's port, so a client's source address is the
    /// server's address, as in the original's QUIC (Go: <c>NoSharePortQUIC</c>). With this set, each dial uses a socket
    /// of its own on a free port. Default <see langword="false"/>.
    /// </summary>
    public bool NoSharePort { get; set; }

    /// <summary>Returns a copy.</summary>
    public QuicOptions Clone() => (QuicOptions)MemberwiseClone();

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it and the fix.</exception>
    internal void Validate()
    {
        if (IdleTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("QuicOptions.IdleTimeout must be zero (none) or positive.", nameof(IdleTimeout));
        }
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("QuicOptions.HandshakeTimeout must be positive.", nameof(HandshakeTimeout));
        }
        if (StreamWindowBytes < MinStreamWindowBytes)
        {
            throw new ArgumentException($"QuicOptions.StreamWindowBytes is {StreamWindowBytes}; it must be at least " +
                $"{MinStreamWindowBytes} (64 KiB).", nameof(StreamWindowBytes));
        }
        if (RetryTokenLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("QuicOptions.RetryTokenLifetime must be positive.", nameof(RetryTokenLifetime));
        }
        if (!Enum.IsDefined(AddressValidation))
        {
            throw new ArgumentException($"QuicOptions.AddressValidation is {(int)AddressValidation}; use one of " +
                "WhenBusy, Always, Never.", nameof(AddressValidation));
        }
        if (MaxHalfOpenConnections < 1)
        {
            throw new ArgumentException("QuicOptions.MaxHalfOpenConnections must be at least 1.",
                nameof(MaxHalfOpenConnections));
        }
    }
}

/// <summary>When a QUIC server sends Retry packets to check that a new client really is at its source address
/// (<see cref="QuicOptions.AddressValidation"/>).</summary>
public enum QuicAddressValidation
{
    /// <summary>Once half of <see cref="QuicOptions.MaxHalfOpenConnections"/> handshakes are unfinished: no extra round
    /// trip normally, protection under an Initial flood.</summary>
    WhenBusy = 0,

    /// <summary>Every new client: one extra round trip per handshake, and no state at all for an address that cannot
    /// answer.</summary>
    Always = 1,

    /// <summary>Never: Initial packets beyond <see cref="QuicOptions.MaxHalfOpenConnections"/> are dropped.</summary>
    Never = 2,
}
