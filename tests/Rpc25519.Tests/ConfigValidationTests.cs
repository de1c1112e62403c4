namespace Rpc25519.Tests;

/// <summary>A bad setting is reported once, when the server or client is made, naming the setting.</summary>
public sealed class ConfigValidationTests
{
    [Fact]
    public void Server_without_an_address_is_refused_naming_the_setting()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new RpcServer(new RpcOptions { Transport = TransportKind.Tcp }));
        Assert.Contains("ListenAddress", error.Message);
    }

    [Fact]
    public async Task Client_without_an_address_is_refused_naming_the_setting()
    {
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(
            () => RpcClient.ConnectAsync(new RpcOptions { Transport = TransportKind.Tcp }));
        Assert.Contains("ServerAddress", error.Message);
    }

    [Theory]
    [InlineData("MaxFrameBytes")]
    [InlineData("SendQueueCapacity")]
    [InlineData("DefaultCallTimeout")]
    [InlineData("ClientKeepAliveInterval")]
    [InlineData("StreamWindowBytes")]
    [InlineData("Transport")]
    public void Out_of_range_settings_are_refused_naming_the_setting(string setting)
    {
        var config = new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp };
        switch (setting)
        {
            case "MaxFrameBytes": config.MaxFrameBytes = 10; break;
            case "SendQueueCapacity": config.SendQueueCapacity = 0; break;
            case "DefaultCallTimeout": config.DefaultCallTimeout = TimeSpan.Zero; break;
            case "ClientKeepAliveInterval": config.ClientKeepAliveInterval = TimeSpan.FromSeconds(-1); break;
            case "StreamWindowBytes": config.StreamWindowBytes = 256 * 1024 - 1; break;
            case "Transport": config.Transport = (TransportKind)7; break;
        }

        ArgumentException error = Assert.Throws<ArgumentException>(() => new RpcServer(config));
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public async Task A_malformed_address_gets_a_transport_error_that_shows_the_expected_form()
    {
        await using var server = new RpcServer(new RpcOptions { ListenAddress = "no-port-here", Transport = TransportKind.Tcp });
        RpcTransportException error = await Assert.ThrowsAsync<RpcTransportException>(() => server.StartAsync());
        Assert.Contains("host:port", error.Message);
    }

    [Fact]
    public async Task The_server_keeps_its_own_copy_of_the_options()
    {
        var options = new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp };
        await using var server = new RpcServer(options);
        options.ListenAddress = "no-port-here";
        options.Transport = TransportKind.Tls;

        // Started after the changes, the server still binds the address it was made with, over plain TCP.
        await server.StartAsync();

        Assert.StartsWith("tcp://127.0.0.1:", server.LocalAddress);
        await using RpcClient client = await RpcClient.ConnectAsync(new RpcOptions
        {
            ServerAddress = server.LocalAddress["tcp://".Length..],
            Transport = TransportKind.Tcp,
        });
        Assert.True(client.IsConnected);
    }
}
