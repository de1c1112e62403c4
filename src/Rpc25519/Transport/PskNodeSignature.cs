using System.Buffers.Binary;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.X509;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// The signed part of a pre-shared-key handshake (<see cref="PskOptions.SignWithNodeKey"/>): each side sends its
/// certificate and an Ed25519 signature, made with its node key, over both ephemeral keys and its role; the other side
/// checks the certificate against our CA and its known-keys list and the signature against the certificate. The PSK
/// layer over plain TCP then authenticates identities as TLS does.
/// </summary>
internal static class PskNodeSignature
{
    /// <summary>Largest certificate accepted in a handshake.</summary>
    public const int MaxCertificateBytes = 4096;

    /// <summary>Bytes of an Ed25519 signature.</summary>
    public const int SignatureBytes = 64;

    private static readonly byte[] Label = "rpc25519 psk node signature v2"u8.ToArray();

    /// <summary>The proof <c>certificate length (2, BE) || certificate || signature</c> of one side.</summary>
    public static byte[] Prove(TlsIdentity identity, bool server, ReadOnlySpan<byte> clientEphemeral,
        ReadOnlySpan<byte> serverEphemeral)
    {
        byte[] certificate = identity.Certificate.GetEncoded();
        var signer = new Ed25519Signer();
        signer.Init(forSigning: true, identity.PrivateKey);
        byte[] message = Transcript(server, clientEphemeral, serverEphemeral);
        signer.BlockUpdate(message, 0, message.Length);
        byte[] signature = signer.GenerateSignature();
        byte[] proof = new byte[2 + certificate.Length + SignatureBytes];
        BinaryPrimitives.WriteUInt16BigEndian(proof, (ushort)certificate.Length);
        certificate.CopyTo(proof, 2);
        signature.CopyTo(proof, 2 + certificate.Length);
        return proof;
    }

    /// <summary>Checks the other side's certificate, known key and signature.</summary>
    /// <exception cref="AuthenticationRejectedException">Any of them is not acceptable; the message says why.</exception>
    public static void Verify(byte[] certificateBytes, byte[] signature, bool peerIsServer, TlsIdentity mine,
        ReadOnlySpan<byte> clientEphemeral, ReadOnlySpan<byte> serverEphemeral, string remoteAddress,
        DateTimeOffset now)
    {
        PeerIdentity peer;
        try
        {
            var certificate = new X509CertificateParser().ReadCertificate(certificateBytes)
                ?? throw new AuthenticationRejectedException($"{remoteAddress} sent no certificate in its " +
                    "pre-shared-key handshake.");
            peer = CertificateChecker.Check(certificate, mine.SkipVerify ? null : mine.Ca, now,
                clientRole: !peerIsServer);
            if (!mine.SkipVerify && KnownKeys.Open(mine.KnownKeysPath) is { } known)
            {
                known.Admit(peer, TlsSettings.HostOf(remoteAddress), now);
            }
        }
        catch (CertificateRejectedException e)
        {
            throw new AuthenticationRejectedException($"{remoteAddress} is refused in the pre-shared-key handshake: " +
                e.Message, e);
        }
        catch (Exception e) when (e is not AuthenticationRejectedException and not RpcException)
        {
            throw new AuthenticationRejectedException($"{remoteAddress} sent a certificate that does not parse in " +
                $"its pre-shared-key handshake: {e.Message}", e);
        }
        var verifier = new Ed25519Signer();
        verifier.Init(forSigning: false, new Ed25519PublicKeyParameters(peer.PublicKey));
        byte[] message = Transcript(peerIsServer, clientEphemeral, serverEphemeral);
        verifier.BlockUpdate(message, 0, message.Length);
        if (!verifier.VerifySignature(signature))
        {
            throw new AuthenticationRejectedException($"{remoteAddress} signed its pre-shared-key handshake with a " +
                "key that is not its certificate's; closing.");
        }
    }

    private static byte[] Transcript(bool server, ReadOnlySpan<byte> clientEphemeral, ReadOnlySpan<byte> serverEphemeral) =>
        [.. Label, .. (server ? "server"u8 : "client"u8), .. clientEphemeral, .. serverEphemeral];

    /// <summary>Describes a side for error messages.</summary>
    public static string Describe(bool signs) => signs ? "signs its handshake with its node key"
        : "does not sign its handshake";
}
