using System.Text;
using Microsoft.Extensions.Configuration;
using Rpc25519.Compression;

namespace Rpc25519.Tests.ConfigFiles;

/// <summary>RpcOptions is an ordinary options class: it binds from an appsettings-style configuration, sections
/// included.</summary>
public sealed class OptionsBindingTests
{
    private const string AppSettings = """
        {
          "Rpc": {
            "ServerAddress": "10.1.2.3:8443",
            "Transport": "Tcp",
            "Compression": "Lz4",
            "DefaultCallTimeout": "00:00:05",
            "Tls": { "CertPath": "/etc/rpc/certs", "ClientKeyPairName": "alice", "HandshakeTimeout": "00:00:03" },
            "PreSharedKey": { "Path": "/etc/rpc/psk" },
            "Peers": { "CircuitWindow": 64, "ServiceLimits": { "echo": 2, "sink": 0 } }
          }
        }
        """;

    [Fact]
    public void RpcOptions_bind_from_json_configuration_with_their_sections()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings)))
            .Build();

        RpcOptions options = configuration.GetSection("Rpc").Get<RpcOptions>()!;

        Assert.Equal("10.1.2.3:8443", options.ServerAddress);
        Assert.Equal(TransportKind.Tcp, options.Transport);
        Assert.Equal(CompressionAlgo.Lz4, options.Compression);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultCallTimeout);
        Assert.Equal(("/etc/rpc/certs", "alice"), (options.Tls.CertPath, options.Tls.ClientKeyPairName));
        Assert.Equal(TimeSpan.FromSeconds(3), options.Tls.HandshakeTimeout);
        Assert.Equal("node", options.Tls.ServerKeyPairName);
        Assert.Equal("/etc/rpc/psk", options.PreSharedKey.Path);
        Assert.Equal(64, options.Peers.CircuitWindow);
        Assert.Equal(new Dictionary<string, int> { ["echo"] = 2, ["sink"] = 0 }, options.Peers.ServiceLimits);
    }
}
