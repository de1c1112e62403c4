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

    /// <summary>
    /// Each side also signs the handshake with its Ed25519 node key and sends its certificate, and each checks the
    /// other's against our CA and its known-keys list, using the <see cref="TlsOptions"/> of the same
    /// <see cref="RpcOptions"/> (certificate directory, key pair names, known keys, pass-phrases). Over plain TCP this
    /// makes the layer authenticate identities, not only possession of the key file; over TLS it repeats what TLS
    /// already did. Both ends must agree (a mismatch is refused with a message saying so). Default
    /// <see langword="false"/>.
    /// </summary>
    public bool SignWithNodeKey { get; set; }

    /// <summary>Whether the layer is on (<see cref="Path"/> is set).</summary>
    public bool IsEnabled => !string.IsNullOrEmpty(Path);

    /// <summary>Returns a copy.</summary>
    public PskOptions Clone() => (PskOptions)MemberwiseClone();
}
