using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;
using Rpc25519.Transport;
using Rpc25519.Transport.Quic;

namespace Rpc25519.Quic.Tests;

/// <summary>What a fresh connect costs beyond its handshake: the GnuTLS credential is built once per key pair.</summary>
[Collection("Quic")]
public sealed class QuicConnectCostTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public void GnuTlsCredentials_AreSharedByFreshOptionsWithTheSameKeyPair_AndDifferPerKeyPair()
    {
        NativePrerequisite.Ensure();
        TlsIdentity Load(string dir, bool server) =>
            TlsTestHost.Config(dir).Tls.Clone().LoadIdentity(server); // fresh options: the identity is loaded again

        TlsIdentity first = Load(certs.CertsDir, server: false);
        TlsIdentity again = Load(certs.CertsDir, server: false);
        Assert.NotSame(first, again);
        nint shared = QuicSide.CredentialsFor(first);
        Assert.NotEqual(0, shared);
        Assert.Equal(shared, QuicSide.CredentialsFor(again));
        Assert.NotEqual(shared, QuicSide.CredentialsFor(Load(certs.CertsDir, server: true)));
        Assert.NotEqual(shared, QuicSide.CredentialsFor(Load(certs.OtherCertsDir, server: false)));
    }
}
