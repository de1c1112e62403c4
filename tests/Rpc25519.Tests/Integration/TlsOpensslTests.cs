using System.Diagnostics;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

/// <summary>Certificates and keys made by openssl (PKCS#8 Ed25519 keys, X.509 certificates) work like ours.</summary>
[Collection("Security")]
public sealed class TlsOpensslTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task OpensslMadeCaAndPairs_CompleteMutualTls()
    {
        Assert.True(File.Exists("/usr/bin/openssl"),
            "openssl is needed to make the certificates this test compares against: apt-get install openssl " +
            "(.ci/run installs it).");
        string dir = certs.NewDir("openssl");
        Run(dir, "genpkey -algorithm ed25519 -out ca.key");
        Run(dir, "req -x509 -new -key ca.key -subj /CN=openssl-ca -days 30 -out ca.crt " +
            "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
        foreach (string name in new[] { "node", "client" })
        {
            Run(dir, $"genpkey -algorithm ed25519 -out {name}.key");
            Run(dir, $"req -new -key {name}.key -subj /CN=localhost -out {name}.csr");
            File.WriteAllText(Path.Combine(dir, name + ".ext"),
                "subjectAltName=DNS:localhost,IP:127.0.0.1,email:" + name + "@openssl.example\n" +
                "extendedKeyUsage=serverAuth,clientAuth\n");
            Run(dir, $"x509 -req -in {name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 " +
                $"-extfile {name}.ext -out {name}.crt");
        }
        await using RpcServer server = await StartEchoAsync(Config(dir));
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(dir)));
        Assert.Equal([3, 1, 4], await EchoAsync(client, [3, 1, 4]));
    }

    private static void Run(string dir, string arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/openssl", arguments)
        {
            WorkingDirectory = dir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"openssl {arguments}: {error}");
    }
}
