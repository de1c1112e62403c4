using Rpc25519.Security;
using Rpc25519.Tests.Security;
using Rpc25519.Transport;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

/// <summary>Key material is loaded once per <see cref="TlsOptions"/>, and the library never prompts by itself.</summary>
[Collection("Security")]
public sealed class TlsKeyLoadingTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private static readonly Argon2Settings Cheap = new() { Iterations = 1, MemoryKiB = 1024 };

    /// <summary>A certs directory whose client key is protected by <paramref name="passphrase"/>.</summary>
    private string ProtectedClientDir(string passphrase)
    {
        string dir = certs.NewDir("protected");
        foreach (string file in new[] { "ca.crt", "node.crt", "node.key" })
        {
            File.Copy(Path.Combine(certs.CertsDir, file), Path.Combine(dir, file));
        }
        SelfCertificates.CreateKeyPair("client", "client@example.org", dir, certs.PrivateDir, passphrase, _ => "",
            argon2: Cheap);
        return dir;
    }

    [Fact]
    public async Task Many_clients_from_one_options_object_ask_for_the_passphrase_once()
    {
        string dir = ProtectedClientDir("open sesame");
        await using RpcServer server = await StartEchoAsync(Config(dir));
        int asked = 0;
        RpcOptions options = ClientOf(server, Config(dir));
        options.Tls.PassphraseProvider = _ =>
        {
            Interlocked.Increment(ref asked);
            return "open sesame";
        };

        for (int i = 0; i < 5; i++)
        {
            await using RpcClient client = await RpcClient.ConnectAsync(options);
            Assert.Equal([(byte)i], await EchoAsync(client, [(byte)i]));
        }

        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task A_protected_key_without_a_passphrase_source_fails_with_what_to_set_and_no_prompt()
    {
        string dir = ProtectedClientDir("secret");
        await using RpcServer server = await StartEchoAsync(Config(dir));
        Assert.Null(Environment.GetEnvironmentVariable(Passphrase.EnvironmentVariable));

        var error = await Assert.ThrowsAsync<RpcException>(() => RpcClient.ConnectAsync(ClientOf(server, Config(dir))));

        Assert.Contains("TlsOptions.PassphraseProvider", error.Message, StringComparison.Ordinal);
        Assert.Contains(Passphrase.EnvironmentVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_passphrase_is_not_remembered_so_a_corrected_provider_works()
    {
        string dir = ProtectedClientDir("right");
        await using RpcServer server = await StartEchoAsync(Config(dir));
        string given = "wrong";
        RpcOptions options = ClientOf(server, Config(dir));
        options.Tls.PassphraseProvider = _ => given;

        await Assert.ThrowsAnyAsync<RpcException>(() => RpcClient.ConnectAsync(options));
        given = "right";
        await using RpcClient client = await RpcClient.ConnectAsync(options);
        Assert.Equal([9], await EchoAsync(client, [9]));
    }

    [Fact]
    public async Task A_transport_built_once_serves_many_clients()
    {
        await using RpcServer server = await StartEchoAsync(Config(certs.CertsDir));
        var shared = new TlsTransport(Config(certs.CertsDir).Tls);
        RpcOptions options = ClientOf(server, Config(certs.CertsDir));
        options.CustomTransport = shared;
        await using RpcClient first = await RpcClient.ConnectAsync(options);
        await using RpcClient second = await RpcClient.ConnectAsync(options);
        Assert.Equal([1], await EchoAsync(first, [1]));
        Assert.Equal([2], await EchoAsync(second, [2]));
    }
}
