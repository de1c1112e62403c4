namespace Rpc25519.Transport;

/// <summary>Settings of the pre-shared-key layer (<see cref="PskTransport"/>).</summary>
/// <remarks>Not thread-safe while being edited.</remarks>
public sealed class PskOptions
{
    /// <summary>
    /// File of at least 32 secret bytes (make one with <c>selfy -gensym</c>) shared by both ends. When set, every
    /// connection (TLS or plain TCP) runs an extra X25519 exchange mixed with this key and encrypts all traffic again
    /// with ChaCha20-Poly1305; ends with different keys cannot talk. Default: empty (off).
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>How long the server lets an incoming connection take to finish the pre-shared-key handshake before
    /// dropping it. Default 20 s; <see cref="TimeSpan.Zero"/> means no limit.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether the layer is on (<see cref="Path"/> is set).</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(Path);

    /// <summary>Returns a copy.</summary>
    public PskOptions Clone() => (PskOptions)MemberwiseClone();
}
