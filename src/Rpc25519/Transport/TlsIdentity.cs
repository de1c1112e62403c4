using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.X509;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>One side's TLS identity and trust anchors as loaded from disk: its Ed25519 key and certificate, our CA and
/// the known-keys file. Loaded once per <see cref="TlsOptions"/> and side, then shared by every connection.</summary>
/// <remarks>Immutable.</remarks>
internal sealed class TlsIdentity
{
    private TlsIdentity(Ed25519PrivateKeyParameters key, X509Certificate certificate, X509Certificate? ca,
        bool skipVerify, string knownKeysPath, TimeSpan handshakeTimeout)
    {
        PrivateKey = key;
        Certificate = certificate;
        Ca = ca;
        SkipVerify = skipVerify;
        KnownKeysPath = knownKeysPath;
        HandshakeTimeout = handshakeTimeout;
    }

    public Ed25519PrivateKeyParameters PrivateKey { get; }

    public X509Certificate Certificate { get; }

    /// <summary>The CA peers must be signed by; null only with <see cref="SkipVerify"/>.</summary>
    public X509Certificate? Ca { get; }

    public bool SkipVerify { get; }

    /// <summary>The known-keys file of this side ("" for none).</summary>
    public string KnownKeysPath { get; }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Loads the key pair of one side from <see cref="TlsOptions.CertPath"/>.</summary>
    /// <exception cref="RpcException">A file is missing, unreadable, not Ed25519, or its pass-phrase is
    /// wrong or unavailable.</exception>
    public static TlsIdentity Load(TlsOptions options, bool server)
    {
        if (options.HandshakeTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("TlsOptions.HandshakeTimeout must be zero (no limit) or positive.",
                nameof(options));
        }
        string directory = string.IsNullOrWhiteSpace(options.CertPath) ? SecurityPaths.DefaultCertsDirectory
            : options.CertPath;
        string name = server ? options.ServerKeyPairName : options.ClientKeyPairName;
        string certPath = Path.Combine(directory, name + ".crt");
        string keyPath = Path.Combine(directory, name + ".key");
        string caPath = Path.Combine(directory, SelfCertificates.CaCertificateFileName);
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            throw new RpcException($"TLS needs the key pair '{name}' ({certPath} and {keyPath}); make one with " +
                $"'selfy -k {name}', point TlsOptions.CertPath at its directory, or choose TransportKind.Tcp.");
        }
        X509Certificate certificate = CertificateChecker.ReadPem(certPath)[0];
        Ed25519PrivateKeyParameters key = PrivateKeyFile.Read(keyPath,
            Passphrase.ForLoading(options.PassphraseProvider));
        byte[]? certKey = CertificateChecker.Ed25519Key(certificate);
        if (certKey is null || !certKey.AsSpan().SequenceEqual(key.GeneratePublicKey().GetEncoded()))
        {
            throw new RpcException($"'{keyPath}' is not the private key of '{certPath}' (or the certificate is not " +
                "Ed25519).");
        }
        X509Certificate? ca = null;
        if (!options.SkipVerifyKeys)
        {
            if (!File.Exists(caPath))
            {
                throw new RpcException($"TLS needs our CA certificate '{caPath}' to verify peers.");
            }
            ca = CertificateChecker.ReadPem(caPath)[0];
        }
        string knownKeys = options.SkipVerifyKeys ? "" : server ? options.KnownClientKeysPath
            : options.KnownServerKeysPath;
        return new TlsIdentity(key, certificate, ca, options.SkipVerifyKeys, knownKeys, options.HandshakeTimeout);
    }

    /// <summary>Refuses to start a server whose known-clients list is read-only and empty: it would reject every
    /// client. Shared by the TLS and QUIC transports.</summary>
    /// <exception cref="RpcException">The list is read-only and empty; the message says what to do.</exception>
    public void EnsureKnownClientsCanAdmit()
    {
        if (KnownKeys.Open(KnownKeysPath) is { } known && !known.IsWritable && known.ReadKeys().Count == 0)
        {
            throw new RpcException($"The known-clients list '{known.Path}' is read-only and empty, so every client " +
                "would be rejected; add keys to it, make it writable (trust on first use), or remove it.");
        }
    }

    /// <summary>Checks a peer's leaf certificate (DER, null when it sent none) against our CA, the name and role
    /// rules, then the known-keys list (recording a new key in a writable list). Shared by the TLS and QUIC
    /// transports so that both accept and refuse exactly the same peers.</summary>
    /// <exception cref="CertificateRejectedException">The peer is rejected; the alert and message say why.</exception>
    public PeerIdentity VerifyPeer(byte[]? leaf, bool peerIsClient, string remoteAddress, TimeProvider timeProvider,
        ILogger logger)
    {
        try
        {
            if (leaf is null)
            {
                throw new CertificateRejectedException(AlertDescription.certificate_required,
                    "the peer sent no certificate");
            }
            PeerIdentity identity = CertificateChecker.CheckEncoded(leaf, Ca, timeProvider.GetUtcNow(), peerIsClient);
            if (!SkipVerify && KnownKeys.Open(KnownKeysPath) is { } known
                && known.Admit(identity, HostOf(remoteAddress), timeProvider.GetUtcNow()))
            {
                SecurityLog.KnownKeyRecorded(logger, identity.KnownKeysString, remoteAddress, known.Path);
            }
            return identity;
        }
        catch (CertificateRejectedException)
        {
            throw;
        }
        catch (RpcException e)
        {
            throw new CertificateRejectedException(AlertDescription.internal_error, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateRejectedException(AlertDescription.internal_error,
                $"the known-keys file '{KnownKeysPath}' cannot be read or written: {e.Message}");
        }
    }

    /// <summary>The host part of <c>tcp://host:port</c> (known-keys files record hosts without ports).</summary>
    public static string HostOf(string address)
    {
        try
        {
            return HostPort.Split(address).Host;
        }
        catch (RpcTransportException)
        {
            return address;
        }
    }
}
