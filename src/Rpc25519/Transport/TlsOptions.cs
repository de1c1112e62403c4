using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// Settings of the TLS transport (<see cref="TlsTransport"/>): where the certificates and keys are, how peers are
/// verified, and how long a handshake may take.
/// </summary>
/// <remarks>
/// <para>The key pair is loaded once per <see cref="TlsOptions"/> instance and side (server or client) and then reused
/// by every connection made with it, so a pass-phrase-protected key costs one Argon2id run and one
/// <see cref="PassphraseProvider"/> call, not one per connection. Change a setting only before the first use; copies of
/// an <see cref="RpcOptions"/> share this object (and its loaded keys).</para>
/// <para>Not thread-safe while being edited.</para>
/// </remarks>
public sealed class TlsOptions
{
    private readonly Lock _loadLock = new();
    private TlsIdentity? _server;
    private TlsIdentity? _client;

    /// <summary>
    /// Directory holding <c>ca.crt</c> and the key pairs (<c>NAME.crt</c>, <c>NAME.key</c>). Default: empty, meaning
    /// the selfy certs directory (<c>$XDG_CONFIG_HOME/rpc25519/certs</c> or <c>~/.config/rpc25519/certs</c>).
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
    /// The server's list of known client keys. Absent file: nothing is remembered. Writable file: a new client key is
    /// appended (trust on first use). Read-only file: only listed keys get in. Empty string: never consulted.
    /// Relative paths are resolved against the working directory. Default <c>known_client_keys</c>.
    /// </summary>
    public string KnownClientKeysPath { get; set; } = "known_client_keys";

    /// <summary>The client's list of known server keys; same rules as <see cref="KnownClientKeysPath"/>.
    /// Default <c>known_server_keys</c>.</summary>
    public string KnownServerKeysPath { get; set; } = "known_server_keys";

    /// <summary>
    /// Supplies the pass-phrase of an encrypted private key file; called with the file's path, once per key. Default
    /// <see langword="null"/>: the environment variable <c>RPC25519_PASSPHRASE</c>, else loading a protected key fails
    /// with a message saying what to set. The library never prompts on the console itself; a program that wants a
    /// prompt passes <see cref="Passphrase.ConsolePrompt"/> here.
    /// </summary>
    public Func<string, string>? PassphraseProvider { get; set; }

    /// <summary>How long the server lets an incoming connection take to finish its TLS handshake before dropping it.
    /// Default 20 s; <see cref="TimeSpan.Zero"/> means no limit.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Returns a copy of the settings that loads its own keys again.</summary>
    public TlsOptions Clone() => new()
    {
        CertPath = CertPath,
        ServerKeyPairName = ServerKeyPairName,
        ClientKeyPairName = ClientKeyPairName,
        SkipVerifyKeys = SkipVerifyKeys,
        KnownClientKeysPath = KnownClientKeysPath,
        KnownServerKeysPath = KnownServerKeysPath,
        PassphraseProvider = PassphraseProvider,
        HandshakeTimeout = HandshakeTimeout,
    };

    /// <summary>The loaded identity of one side, loaded on first use and reused after that.</summary>
    /// <exception cref="RpcException">A file is missing, unreadable, not Ed25519, or its pass-phrase is wrong.</exception>
    internal TlsIdentity LoadIdentity(bool server)
    {
        lock (_loadLock)
        {
            if (server)
            {
                return _server ??= TlsIdentity.Load(this, server: true);
            }
            return _client ??= TlsIdentity.Load(this, server: false);
        }
    }
}
