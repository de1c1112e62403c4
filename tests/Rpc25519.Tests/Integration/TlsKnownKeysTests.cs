using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

[Collection("Security")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsKnownKeysTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task WritableList_RecordsNewClientOnceAndOnlyOnce()
    {
        string list = Path.Combine(certs.NewDir("tofu"), "known_client_keys");
        File.WriteAllText(list, "");
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.KnownClientKeysPath = list;
        await using RpcServer server = await StartEchoAsync(config);
        for (int i = 0; i < 3; i++)
        {
            await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, config));
            Assert.Equal([9], await EchoAsync(client, [9]));
        }
        string[] lines = File.ReadAllLines(list);
        Assert.Single(lines);
        Assert.Matches(@"^127\.0\.0\.1 pubkey@edwardsRPC-ed25519-b58c-[1-9A-HJ-NP-Za-km-z]+:client@example\.org " +
            @"first_seen=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", lines[0]);
    }

    [Fact]
    public async Task ReadOnlyList_AdmitsListedClient_RejectsUnknownCaSignedClient()
    {
        // Record the client once through trust on first use, then lock the list down.
        string list = Path.Combine(certs.NewDir("lock"), "known_client_keys");
        File.WriteAllText(list, "# locked list\n");
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.KnownClientKeysPath = list;
        await using (RpcServer learn = await StartEchoAsync(config))
        {
            await using RpcClient first = await RpcClient.ConnectAsync(ClientOf(learn, config));
        }
        File.SetUnixFileMode(list, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        await using RpcServer server = await StartEchoAsync(config);
        await using (RpcClient listed = await RpcClient.ConnectAsync(ClientOf(server, config)))
        {
            Assert.Equal([5], await EchoAsync(listed, [5]));
        }
        // A second identity signed by the same CA, not on the list.
        string strangerDir = certs.NewDir("stranger");
        Rpc25519.Security.SelfCertificates.CreateKeyPair("client", "stranger@example.org", strangerDir,
            certs.PrivateDir, null, _ => "");
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, Config(strangerDir))));
        Assert.Contains("access_denied", error.Message, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(list), l => l.StartsWith("127.0.0.1 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmptyReadOnlyList_ServerRefusesToStart()
    {
        string list = Path.Combine(certs.NewDir("empty"), "known_client_keys");
        File.WriteAllText(list, "");
        File.SetUnixFileMode(list, UnixFileMode.UserRead);
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.KnownClientKeysPath = list;
        var error = await Assert.ThrowsAsync<RpcException>(() => StartEchoAsync(config));
        Assert.Contains("read-only and empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientLockDown_RejectsUnlistedServer()
    {
        string list = Path.Combine(certs.NewDir("servers"), "known_server_keys");
        File.WriteAllText(list, "10.0.0.1 pubkey@edwardsRPC-ed25519-b58c-abc:someone@example.org\n");
        File.SetUnixFileMode(list, UnixFileMode.UserRead);
        await using RpcServer server = await StartEchoAsync(Config(certs.CertsDir));
        RpcOptions client = Config(certs.CertsDir);
        client.Tls.KnownServerKeysPath = list;
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, client)));
        Assert.Contains("known-keys", error.Message, StringComparison.Ordinal);
    }
}
