using Org.BouncyCastle.X509;

namespace Rpc25519.Security;

/// <summary>The authenticated identity of a peer: its Ed25519 public key and the e-mail names in its
/// certificate.</summary>
internal sealed record PeerIdentity(byte[] PublicKey, IReadOnlyList<string> Emails, X509Certificate Certificate)
{
    /// <summary>The identity string of known-keys files: <c>pubkey@edwardsRPC-ed25519-b58c-B58:emails</c>.</summary>
    public string KnownKeysString =>
        KnownKeys.IdentityPrefix + Base58Check.Encode(PublicKey) + ":" + string.Join(',', Emails);
}
