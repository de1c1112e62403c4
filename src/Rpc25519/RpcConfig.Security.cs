namespace Rpc25519;

/// <summary>Security settings: certificates, keys, known-keys lists and the pre-shared-key layer.</summary>
public sealed partial class RpcConfig
{
    /// <summary>
    /// Directory holding <c>ca.crt</c> and the key pairs (<c>NAME.crt</c>, <c>NAME.key</c>). Default: empty, meaning
    /// the selfy certs directory (<c>$XDG_CONFIG_HOME/rpc25519/certs</c> or <c>~/.config/rpc25519/certs</c>).
    /// Not used with <see cref="TcpOnlyNoTls"/>.
    /// </summary>
    public string CertPath { get; set; } = "";

    /// <summary>Name of the server's key pair in <see cref="CertPath"/> (<c>NAME.crt</c> and <c>NAME.key</c>).
    /// Default <c>node</c>.</summary>
    public string ServerKeyPairName { get; set; } = "node";

    /// <summary>Name of the client's key pair in <see cref="CertPath"/>. Default <c>client</c>.</summary>
    public string ClientKeyPairName { get; set; } = "client";

    /// <summary>
    /// Accept any valid Ed25519 certificate from the peer without checking that our CA signed it, and ignore the
    /// known-keys files. The server then asks for no client certificate. Both ends must set it, otherwise the end that
    /// still verifies rejects the other. Default <see langword="false"/>.
    /// </summary>
    public bool SkipVerifyKeys { get; set; }

    /// <summary>
    /// File of at least 32 secret bytes (make one with <c>selfy -gensym</c>) shared by both ends. When set, every
    /// connection (TLS or plain TCP) runs an extra X25519 exchange mixed with this key and encrypts all traffic again
    /// with ChaCha20-Poly1305; ends with different keys cannot talk. Default: empty (off).
    /// </summary>
    public string PreSharedKeyPath { get; set; } = "";

    /// <summary>
    /// The server's list of known client keys. Absent file: nothing is remembered. Writable file: a new client key is
    /// appended (trust on first use). Read-only file: only listed keys get in. Empty string: never consulted.
    /// Relative paths are resolved against the working directory. Default <c>known_client_keys</c>.
    /// </summary>
    public string KnownClientKeysPath { get; set; } = "known_client_keys";

    /// <summary>The client's list of known server keys; same rules as <see cref="KnownClientKeysPath"/>.
    /// Default <c>known_server_keys</c>.</summary>
    public string KnownServerKeysPath { get; set; } = "known_server_keys";

    /// <summary>
    /// Supplies the pass-phrase of an encrypted private key file; called with the file's path. Default
    /// <see langword="null"/>: the environment variable <c>RPC25519_PASSPHRASE</c>, else the terminal, else one line
    /// of standard input.
    /// </summary>
    public Func<string, string>? PassphraseProvider { get; set; }

    /// <summary>How long the server lets an incoming connection take to finish its TLS (and pre-shared-key)
    /// handshake before dropping it. Default 20 s; <see cref="TimeSpan.Zero"/> means no limit.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
