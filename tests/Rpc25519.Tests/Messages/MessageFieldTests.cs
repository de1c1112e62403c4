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

    [Fact]
    public void Headers_that_share_their_strings_still_change_apart()
    {
        // Two requests to one service share their string fields (same service name instance) ...
        var first = new MessageHeader { ServiceName = "svc" };
        var second = new MessageHeader { ServiceName = "svc" };
        second.Subject = "only the second";
        first.From = "network://10.0.0.1:1";
        Assert.Equal(("svc", "", "", ""), (first.ServiceName, first.Subject, first.To, first.FromServiceName));
        Assert.Equal("network://10.0.0.1:1", first.From);
        Assert.Equal(("svc", "only the second", ""), (second.ServiceName, second.Subject, second.From));

        second.ServiceName = "other";
        second.FromServiceName = "caller";
        Assert.Equal("svc", first.ServiceName);
        Assert.Equal(("other", "caller", "only the second"), (second.ServiceName, second.FromServiceName, second.Subject));
        var third = new MessageHeader { ServiceName = "svc" };
        Assert.Equal(("svc", "", ""), (third.ServiceName, third.Subject, third.From));
    }

    [Fact]
    public void Decoded_headers_that_share_their_strings_still_change_apart()
    {
        var context = new DecodeContext(null, "network://peer:1", "network://me:2");
        var sent = new Message();
        sent.Header.ServiceName = "svc";
        sent.Header.Subject = "s";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MessageCodec.Encode(sent, buffer);

        MessageHeader a = MessageCodec.Decode(new System.Buffers.ReadOnlySequence<byte>(buffer.WrittenMemory), context).Header;
        MessageHeader b = MessageCodec.Decode(new System.Buffers.ReadOnlySequence<byte>(buffer.WrittenMemory), context).Header;
        Assert.Equal(("svc", "s", "network://peer:1", "network://me:2"), (a.ServiceName, a.Subject, a.From, a.To));
        b.Subject = "changed";
        b.To = "elsewhere";
        Assert.Equal(("s", "network://me:2"), (a.Subject, a.To));
        Assert.Equal(("svc", "changed", "network://peer:1", "elsewhere"), (b.ServiceName, b.Subject, b.From, b.To));
    }

    [Fact]
    public async Task A_reply_carries_the_requests_names_and_its_own_subject_when_the_handler_set_one()
    {
        var (server, port) = await Integration.Loopback.StartServerAsync(s =>
        {
            s.RegisterCall("plain", (_, _) => ValueTask.FromResult(new Message()));
            s.RegisterCall("subject", (_, _) =>
            {
                var reply = new Message();
                reply.Header.Subject = "from the handler";
                return ValueTask.FromResult(reply);
            });
        });
        await using var _ = server;
        await using RpcClient client = await Integration.Loopback.ConnectAsync(port);

        for (int i = 0; i < 3; i++)
        {
            Message request = Integration.Loopback.Request("plain");
            request.Header.Subject = $"asked {i}";
            Message plain = await client.CallAsync(request);
            Assert.Equal(("plain", "plain", $"asked {i}"),
                (plain.Header.ServiceName, plain.Header.FromServiceName, plain.Header.Subject));
            Message own = await client.CallAsync(Integration.Loopback.Request("subject"));
            Assert.Equal(("subject", "subject", "from the handler"),
                (own.Header.ServiceName, own.Header.FromServiceName, own.Header.Subject));
        }
    }
}
