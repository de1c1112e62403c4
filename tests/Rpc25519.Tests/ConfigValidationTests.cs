namespace Rpc25519.Tests;

/// <summary>A bad setting is reported once, when the server or client is made, naming the setting.</summary>
public sealed class ConfigValidationTests
{
    [Fact]
    public void Server_without_an_address_is_refused_naming_the_setting()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new RpcServer(new RpcConfig { TcpOnlyNoTls = true }));
        Assert.Contains("ServerAddr", error.Message);
    }

    [Fact]
    public async Task Client_without_an_address_is_refused_naming_the_setting()
    {
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(
            () => RpcClient.ConnectAsync(new RpcConfig { TcpOnlyNoTls = true }));
        Assert.Contains("ClientDialToHostPort", error.Message);
    }

    [Theory]
    [InlineData("MaxFrameBytes")]
    [InlineData("SendQueueCapacity")]
    [InlineData("DefaultCallTimeout")]
    [InlineData("ClientSendKeepAlive")]
    public void Out_of_range_settings_are_refused_naming_the_setting(string setting)
    {
        var config = new RpcConfig { ServerAddr = "127.0.0.1:0", TcpOnlyNoTls = true };
        switch (setting)
        {
            case "MaxFrameBytes": config.MaxFrameBytes = 10; break;
            case "SendQueueCapacity": config.SendQueueCapacity = 0; break;
            case "DefaultCallTimeout": config.DefaultCallTimeout = TimeSpan.Zero; break;
            case "ClientSendKeepAlive": config.ClientSendKeepAlive = TimeSpan.FromSeconds(-1); break;
        }

        ArgumentException error = Assert.Throws<ArgumentException>(() => new RpcServer(config));
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public async Task A_malformed_address_gets_a_transport_error_that_shows_the_expected_form()
    {
        await using var server = new RpcServer(new RpcConfig { ServerAddr = "no-port-here", TcpOnlyNoTls = true });
        RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => server.StartAsync());
        Assert.Contains("host:port", error.Message);
    }

    [Fact]
    public void The_server_keeps_its_own_copy_of_the_config()
    {
        var config = new RpcConfig { ServerAddr = "127.0.0.1:0", TcpOnlyNoTls = true };
        var server = new RpcServer(config);
        config.ServerAddr = "";

        Assert.NotNull(server);
    }
}
