using Rpc25519.Security;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

/// <summary>The pre-shared-key layer over plain TCP with node-key signatures authenticates identities as TLS does
/// (issue 11, item 11).</summary>
[Collection("Security")]
public sealed class PskSignedHandshakeTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private string NewPsk()
    {
        string path = Path.Combine(certs.NewDir("signed-psk"), "psk");
        SelfCertificates.GenerateSymmetricKey(path);
        return path;
    }

    private static RpcOptions Signed(string certDir, string psk, bool sign = true)
    {
        RpcOptions options = Config(certDir, tcp: true);
        options.PreSharedKey.Path = psk;
        options.PreSharedKey.SignWithNodeKey = sign;
        return options;
    }

    [Fact]
    public async Task Both_ends_signing_with_keys_of_our_ca_talk_over_plain_tcp()
    {
        string psk = NewPsk();
        await using RpcServer server = await StartEchoAsync(Signed(certs.CertsDir, psk));
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Signed(certs.CertsDir, psk)));

        Assert.Equal([1, 2, 3], await EchoAsync(client, [1, 2, 3]));
    }

    [Fact]
    public async Task A_client_of_another_ca_holding_the_key_file_is_refused_and_told_so()
    {
        string psk = NewPsk();
        // The client trusts our CA (so it accepts the server) but signs with a key of an unrelated CA.
        string mixed = certs.NewDir("psk-mixed-client");
        foreach (string file in new[] { "client.crt", "client.key" })
        {
            File.Copy(Path.Combine(certs.OtherCertsDir, file), Path.Combine(mixed, file));
        }
        File.Copy(Path.Combine(certs.CertsDir, "ca.crt"), Path.Combine(mixed, "ca.crt"));
        await using RpcServer server = await StartEchoAsync(Signed(certs.CertsDir, psk));

        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Signed(mixed, psk))));

        Assert.Contains("refused this side's certificate", error.Message, StringComparison.Ordinal);
        await using RpcClient good = await RpcClient.ConnectAsync(ClientOf(server, Signed(certs.CertsDir, psk)));
        Assert.Equal([9], await EchoAsync(good, [9]));
    }

    [Fact]
    public async Task A_server_of_another_ca_is_refused_by_the_client()
    {
        string psk = NewPsk();
        await using RpcServer server = await StartEchoAsync(Signed(certs.OtherCertsDir, psk));

        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Signed(certs.CertsDir, psk))));

        Assert.Contains("refused in the pre-shared-key handshake", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task One_end_signing_and_the_other_not_is_a_clear_error(bool serverSigns, bool clientSigns)
    {
        string psk = NewPsk();
        await using RpcServer server = await StartEchoAsync(Signed(certs.CertsDir, psk, serverSigns));

        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Signed(certs.CertsDir, psk, clientSigns))));

        Assert.Contains("SignWithNodeKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_without_node_keys_is_refused_when_the_layer_is_made()
    {
        var options = new Rpc25519.Transport.PskOptions { Path = NewPsk(), SignWithNodeKey = true };
        var error = Assert.Throws<ArgumentException>(
            () => new Rpc25519.Transport.PskTransport(options, new Rpc25519.Transport.TcpTransport()));
        Assert.Contains("SignWithNodeKey", error.Message, StringComparison.Ordinal);
    }
}
