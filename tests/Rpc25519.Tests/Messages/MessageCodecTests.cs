using System.Buffers;
using MessagePack;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Messages;

/// <summary>The wire encoding keeps every field, skips what it does not know, and rejects what is not a message.</summary>
public sealed class MessageCodecTests
{
    [Fact]
    public void Every_encoded_field_survives_a_round_trip()
    {
        var message = new Message
        {
            Payload = [1, 2, 3, 255],
            Error = "boom",
            Header =
            {
                Created = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero).AddTicks(1234567),
                ServiceName = "svc", ToPeerServiceVersion = "v2", FromServiceName = "from-svc",
                FromPeerServiceVersion = "v1", Subject = "subj", SequenceNumber = ulong.MaxValue, CallType = CallType.PeerTraffic,
                CallId = "call-1", Serial = -5, Deadline = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
                StreamPart = 42, SkipCompression = true, ToPeerId = "tp", ToPeerName = "tn", FromPeerId = "fp",
                FromPeerName = "fn", Operation = -7,
            },
        };
        message.Header.Args["b"] = "2";
        message.Header.Args["a"] = "1";

        Message decoded = RoundTrip(message);

        MessageHeader h = decoded.Header;
        Assert.Equal(message.Header.Created, h.Created);
        Assert.Equal(("svc", "v2", "from-svc", "v1", "subj"),
            (h.ServiceName, h.ToPeerServiceVersion, h.FromServiceName, h.FromPeerServiceVersion, h.Subject));
        Assert.Equal((ulong.MaxValue, CallType.PeerTraffic, "call-1", -5L), (h.SequenceNumber, h.CallType, h.CallId, h.Serial));
        Assert.Equal(message.Header.Deadline, h.Deadline);
        Assert.Equal((42L, true, -7), (h.StreamPart, h.SkipCompression, h.Operation));
        Assert.Equal(("tp", "tn", "fp", "fn"), (h.ToPeerId, h.ToPeerName, h.FromPeerId, h.FromPeerName));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, h.Args);
        Assert.Equal(message.Payload, decoded.Payload);
        Assert.Equal("boom", decoded.Error);
    }

    [Fact]
    public void Empty_message_encodes_to_a_few_bytes_and_decodes_to_defaults()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(new Message(), buffer);

        Assert.True(buffer.WrittenCount <= 4, $"empty message took {buffer.WrittenCount} bytes");
        Message decoded = MessageCodec.Decode(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.Equal(CallType.None, decoded.Header.CallType);
        Assert.Null(decoded.Header.Deadline);
        Assert.Empty(decoded.Payload);
        Assert.False(decoded.Header.HasArgs);
    }

    [Fact]
    public void From_and_To_are_not_sent_because_the_receiver_knows_them_better()
    {
        var message = new Message { Header = { From = "tcp://10.0.0.1:1", To = "tcp://10.0.0.2:2", Subject = "s" } };

        Message decoded = RoundTrip(message);

        Assert.Equal("", decoded.Header.From);
        Assert.Equal("", decoded.Header.To);
        Assert.Equal("s", decoded.Header.Subject);
    }

    [Fact]
    public void Unknown_keys_from_a_newer_peer_are_skipped()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(3);
        writer.Write(0);
        writer.WriteMapHeader(3);
        writer.Write(99);
        writer.WriteArrayHeader(2);
        writer.Write("future");
        writer.Write(1.5);
        writer.Write(8);
        writer.Write("kept");
        writer.Write(77);
        writer.WriteNil();
        writer.Write(42);
        writer.Write("ignored too");
        writer.Write(1);
        writer.Write(new byte[] { 9 });
        writer.Flush();

        Message decoded = MessageCodec.Decode(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.Equal("kept", decoded.Header.Subject);
        Assert.Equal(new byte[] { 9 }, decoded.Payload);
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xC1 })]
    [InlineData(new byte[] { 0x81, 0x00 })]
    [InlineData(new byte[] { 0x81, 0x00, 0x81, 0x08, 0x07 })]
    [InlineData(new byte[] { 0x81, 0x00, 0x80, 0x00 })]
    public void Bytes_that_are_not_a_message_are_rejected_with_a_protocol_error(byte[] body)
    {
        RpcProtocolException error = Assert.Throws<RpcProtocolException>(
            () => MessageCodec.Decode(new ReadOnlySequence<byte>(body)));

        Assert.Equal(ProtocolViolation.UndecodableBody, error.Violation);
    }

    [Fact]
    public void Frame_header_rejects_a_bad_magic_as_soon_as_its_first_byte_arrives()
    {
        Assert.Throws<RpcProtocolException>(() =>
            FrameHeader.TryRead(new ReadOnlySequence<byte>(new byte[] { 0x16 }), 1024, out _));
        Assert.False(FrameHeader.TryRead(new ReadOnlySequence<byte>(new byte[] { 0x52, 0x50 }), 1024, out _));
    }

    [Fact]
    public void Frame_header_round_trips_compression_and_length()
    {
        byte[] bytes = new byte[FrameHeader.Size];
        FrameHeader.Write(bytes, compression: 3, bodyLength: 70_000);

        Assert.True(FrameHeader.TryRead(new ReadOnlySequence<byte>(bytes), 100_000, out FrameHeader header));
        Assert.Equal((3, 70_000), (header.Compression, header.BodyLength));
        RpcProtocolException tooBig = Assert.Throws<RpcProtocolException>(
            () => FrameHeader.TryRead(new ReadOnlySequence<byte>(bytes), 65_536, out _));
        Assert.Equal(ProtocolViolation.FrameTooLarge, tooBig.Violation);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue + 1L)]
    [InlineData(int.MinValue - 1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Serial_round_trips_whether_it_fits_in_an_int_or_not(long serial)
    {
        var message = new Message();
        message.Header.Serial = serial;
        Assert.Equal(serial, message.Header.Serial);
        Assert.Equal(serial, RoundTrip(message).Header.Serial);
        Assert.Equal(serial, message.Header.Clone().Serial);

        // Back to a small value: the wide one must not linger.
        message.Header.Serial = 7;
        Assert.Equal(7, message.Header.Serial);
        Assert.Equal(7, RoundTrip(message).Header.Serial);
    }

    private static Message RoundTrip(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, buffer);
        return MessageCodec.Decode(new ReadOnlySequence<byte>(buffer.WrittenMemory));
    }
}
