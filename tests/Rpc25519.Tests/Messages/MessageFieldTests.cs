using Rpc25519.Messages;

namespace Rpc25519.Tests.Messages;

/// <summary>Fields that share storage to keep messages small still read back exactly as they were set.</summary>
public sealed class MessageFieldTests
{
    [Fact]
    public void Error_and_LocalError_are_independent_and_null_reads_back_as_empty()
    {
        var message = new Message();
        Assert.Equal("", message.Error);
        Assert.Null(message.LocalError);

        message.Error = "remote failed";
        var local = new InvalidOperationException("local");
        message.LocalError = local;
        Assert.Equal("remote failed", message.Error);
        Assert.Same(local, message.LocalError);

        message.Error = null!;
        Assert.Equal("", message.Error);
        Assert.Same(local, message.LocalError);

        message.Error = "again";
        message.LocalError = null;
        Assert.Equal("again", message.Error);
        Assert.Null(message.LocalError);
    }

    [Fact]
    public void From_and_To_are_set_one_at_a_time_and_a_clone_changes_apart_from_its_original()
    {
        var header = new MessageHeader { From = "network://10.0.0.1:1" };
        Assert.Equal("network://10.0.0.1:1", header.From);
        Assert.Equal("", header.To);
        header.To = "network://10.0.0.2:2";
        Assert.Equal("network://10.0.0.1:1", header.From);

        MessageHeader copy = header.Clone();
        copy.From = null!;
        Assert.Equal("", copy.From);
        Assert.Equal("network://10.0.0.2:2", copy.To);
        Assert.Equal("network://10.0.0.1:1", header.From);
    }

    [Fact]
    public async Task Received_messages_carry_the_connections_addresses()
    {
        var (server, port) = await Integration.Loopback.StartServerAsync(s =>
            s.RegisterCall("from", (request, _) => ValueTask.FromResult(new Message
            {
                Payload = System.Text.Encoding.UTF8.GetBytes(request.Header.From + " " + request.Header.To),
            })));
        await using var _ = server;
        await using RpcClient client = await Integration.Loopback.ConnectAsync(port);

        Message reply = await client.CallAsync(Integration.Loopback.Request("from"));
        string[] seenByServer = Integration.Loopback.Text(reply).Split(' ');
        // What the server saw is the client's view reversed.
        Assert.Equal(reply.Header.To, seenByServer[0]);
        Assert.Equal(reply.Header.From, seenByServer[1]);
        Assert.EndsWith($":{port}", reply.Header.From);
    }
}
