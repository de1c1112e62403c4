using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Rpc25519.Security;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>
/// Everything one side (server or client) of a <see cref="QuicTransport"/> needs for its handshakes: the identity
/// loaded by our own code (so pass-phrase-protected keys are decrypted by us), held by GnuTLS in memory as a
/// certificate credential, and the verification rules of the TLS transport, which our GnuTLS certificate callback
/// applies.
/// </summary>
/// <remarks>Immutable after construction and shared by every connection of the transport. The GnuTLS credential lives as
/// long as the process and is shared by every side that loads the same key pair and CA (see
/// <see cref="CredentialsFor"/>): building it costs about as much as a fifth of a loopback handshake, and a program that
/// makes a fresh <see cref="RpcOptions"/> (so a fresh transport) per connection would otherwise pay that, and keep one
/// more credential alive, on every connect.</remarks>
internal sealed unsafe class QuicSide
{
    /// <summary>TLS 1.3 only, ChaCha20-Poly1305 only, X25519 only, Ed25519 signatures only; no middlebox
    /// compatibility mode (QUIC forbids it).</summary>
    internal const string Priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305:-GROUP-ALL:" +
        "+GROUP-X25519:-SIGN-ALL:+SIGN-EDDSA-ED25519:%DISABLE_TLS13_COMPAT_MODE";

    /// <summary>The ALPN protocol both ends require.</summary>
    internal const string Alpn = "rpc25519";

    /// <summary>PKCS#8 wrapping of a raw Ed25519 private key (RFC 8410): this prefix, then the 32 key bytes.</summary>
    private static readonly byte[] Pkcs8Ed25519Prefix =
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    /// <summary>GnuTLS credentials by SHA-256 of (certificate, private key, CA), built once per process and never
    /// freed; sessions only read them, so sharing is safe. One entry per distinct key pair and CA.</summary>
    private static readonly ConcurrentDictionary<string, nint> SharedCredentials = new(StringComparer.Ordinal);
    private static readonly Lock SharedCredentialsLock = new();

    private readonly TlsIdentity _identity;
    private readonly nint _credentials;

    public QuicSide(TlsIdentity identity, bool server, QuicOptions options, TransportEnvironment environment)
    {
        _identity = identity;
        IsServer = server;
        Options = options;
        Environment = environment;
        Logger = environment.LoggerFactory.CreateLogger("Rpc25519.Transport.Quic");
        _credentials = CredentialsFor(identity);
    }

    public bool IsServer { get; }

    public QuicOptions Options { get; }

    public TransportEnvironment Environment { get; }

    public ILogger Logger { get; }

    public bool SkipVerify => _identity.SkipVerify;

    /// <inheritdoc cref="TlsIdentity.EnsureKnownClientsCanAdmit"/>
    public void EnsureKnownClientsCanAdmit() => _identity.EnsureKnownClientsCanAdmit();

    /// <summary>Makes a GnuTLS session for one connection, configured for QUIC by ngtcp2's helper.
    /// <paramref name="connectionReference"/> becomes the session pointer (an <see cref="NgConnRef"/>).</summary>
    /// <exception cref="RpcTransportException">GnuTLS refused a setting.</exception>
    public nint NewSession(NgConnRef* connectionReference)
    {
        nint session;
        Check(GnuTls.Init(&session, IsServer ? GnuTls.Server | GnuTls.NoAutoSendTicket : GnuTls.Client), "init");
        try
        {
            Check(IsServer ? Ngtcp2Crypto.ConfigureServerSession(session)
                : Ngtcp2Crypto.ConfigureClientSession(session), "configure for QUIC");
            fixed (byte* priority = Encoding.ASCII.GetBytes(Priority + "\0"))
            {
                Check(GnuTls.SetPriority(session, priority, null), "priority");
            }
            Check(GnuTls.SetCredentials(session, GnuTls.CredentialsCertificate, _credentials), "credentials");
            fixed (byte* alpn = Encoding.ASCII.GetBytes(Alpn))
            {
                var protocol = new GnuTlsDatum { Data = alpn, Size = (uint)Alpn.Length };
                Check(GnuTls.SetAlpn(session, &protocol, 1, GnuTls.AlpnMandatory), "ALPN");
            }
            if (IsServer)
            {
                if (!SkipVerify)
                {
                    GnuTls.SetCertificateRequest(session, GnuTls.CertificateRequire);
                }
            }
            else
            {
                fixed (byte* name = Encoding.ASCII.GetBytes(CertificateMaker.HostName))
                {
                    Check(GnuTls.SetServerName(session, GnuTls.NameDns, name, (nuint)CertificateMaker.HostName.Length),
                        "server name");
                }
            }
            if (!SkipVerify)
            {
                GnuTls.SetVerifyFunction(session, &QuicConnection.VerifyPeerCallback);
            }
            // Replaces the helper's secret function with one that does the same and also learns the keys, so that
            // 1-RTT ChaCha20-Poly1305 runs on .NET's cipher (see QuicConnection.Aead.cs).
            GnuTls.SetSecretFunction(session, &QuicConnection.OnSecretCallback);
            GnuTls.SetPointer(session, (nint)connectionReference);
            return session;
        }
        catch
        {
            GnuTls.Deinit(session);
            throw;
        }
    }

    /// <summary>Checks the peer's leaf certificate (DER) with the TLS transport's rules.</summary>
    /// <exception cref="CertificateRejectedException">The peer is rejected.</exception>
    public PeerIdentity VerifyPeer(byte[]? leaf, string remoteAddress) =>
        _identity.VerifyPeer(leaf, peerIsClient: IsServer, remoteAddress, Environment.TimeProvider, Logger);

    /// <summary>The process's GnuTLS credential for <paramref name="identity"/>'s key pair and CA, built on first
    /// use. Keyed by a hash, so no key material is kept by the cache itself.</summary>
    internal static nint CredentialsFor(TlsIdentity identity)
    {
        byte[] certificate = identity.Certificate.GetEncoded();
        byte[]? ca = identity.Ca?.GetEncoded();
        Span<byte> key = stackalloc byte[32];
        identity.PrivateKey.Encode(key);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, certificate.Length);
        hash.AppendData(length);
        hash.AppendData(certificate);
        hash.AppendData(key);
        key.Clear();
        hash.AppendData(ca ?? []);
        string id = Convert.ToHexString(hash.GetHashAndReset());
        if (SharedCredentials.TryGetValue(id, out nint shared))
        {
            return shared;
        }
        lock (SharedCredentialsLock)
        {
            if (!SharedCredentials.TryGetValue(id, out shared))
            {
                shared = LoadCredentials(identity, certificate, ca);
                SharedCredentials[id] = shared;
            }
            return shared;
        }
    }

    private static nint LoadCredentials(TlsIdentity identity, byte[] certificate, byte[]? caDer)
    {
        nint credentials;
        Check(GnuTls.AllocateCredentials(&credentials), "allocate credentials");
        byte* key = (byte*)NativeMemory.Alloc(48);
        try
        {
            var keySpan = new Span<byte>(key, 48);
            Pkcs8Ed25519Prefix.CopyTo(keySpan);
            identity.PrivateKey.Encode(keySpan[16..]);
            fixed (byte* cert = certificate)
            {
                var certDatum = new GnuTlsDatum { Data = cert, Size = (uint)certificate.Length };
                var keyDatum = new GnuTlsDatum { Data = key, Size = 48 };
                Check(GnuTls.SetKey(credentials, &certDatum, &keyDatum, GnuTls.FormatDer, null, 0),
                    "load the Ed25519 key pair");
            }
            if (caDer is not null)
            {
                // Only so that the server's CertificateRequest names our CA; verification is our own callback's.
                fixed (byte* caBytes = caDer)
                {
                    var caDatum = new GnuTlsDatum { Data = caBytes, Size = (uint)caDer.Length };
                    int loaded = GnuTls.SetTrust(credentials, &caDatum, GnuTls.FormatDer);
                    if (loaded < 0)
                    {
                        Check(loaded, "load the CA certificate");
                    }
                }
            }
            return credentials;
        }
        catch
        {
            GnuTls.FreeCredentials(credentials);
            throw;
        }
        finally
        {
            new Span<byte>(key, 48).Clear();
            NativeMemory.Free(key);
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new RpcTransportException($"GnuTLS refused to {what} for QUIC: {GnuTls.ErrorText(result)} " +
                $"({result}).");
        }
    }
}
