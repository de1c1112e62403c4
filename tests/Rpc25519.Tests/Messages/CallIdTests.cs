using System.Buffers;
using System.Buffers.Text;
using MessagePack;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Messages;

/// <summary>A call ID keeps its text exactly, whether the header holds it as a string or as the bytes of an ID the
/// library drew (the compact form that saves a string per call).</summary>
public sealed class CallIdTests
{
    private static readonly byte[] Raw = [.. Enumerable.Range(1, CallIds.RawBytes).Select(i => (byte)(i * 11))];

    [Fact]
    public void A_compact_id_reads_back_as_its_base64url_text_and_the_same_string_every_time()
    {
        var header = new MessageHeader { CallIdKey = Raw.Clone() };

        string first = header.CallId;

        Assert.Equal(Base64Url.EncodeToString(Raw), first);
        Assert.Equal(CallIds.TextChars, first.Length);
        Assert.Same(first, header.CallId);
    }

    [Fact]
    public void A_compact_id_encodes_to_the_same_bytes_as_its_text_and_decodes_to_the_compact_form()
    {
        string text = Base64Url.EncodeToString(Raw);
        var compact = new Message { Header = { CallIdKey = Raw.Clone(), ServiceName = "s" } };
        var plain = new Message { Header = { CallId = text, ServiceName = "s" } };

        byte[] compactBytes = Encode(compact);
        Assert.Equal(Encode(plain), compactBytes);

        MessageHeader decoded = MessageCodec.Decode(new ReadOnlySequence<byte>(compactBytes)).Header;
        Assert.IsType<byte[]>(decoded.CallIdKey);
        Assert.Equal(text, decoded.CallId);
    }

    [Theory]
    [InlineData("call-1")]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAA==")] // 28 characters, but padded: not the text of 21 bytes
    [InlineData("AAAAAAAAAAAAA AAAAAAAAAAAAAA")] // 28 characters with a space the decoder would skip
    [InlineData("ÄAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // not ASCII
    public void Any_other_id_is_kept_as_the_exact_string_it_was(string id)
    {
        var message = new Message { Header = { CallId = id } };

        MessageHeader decoded = MessageCodec.Decode(new ReadOnlySequence<byte>(Encode(message))).Header;

        Assert.Equal(id, decoded.CallId);
        Assert.Equal(id.Length > 0, decoded.HasCallId);
    }

    [Fact]
    public void The_comparer_takes_every_form_of_one_id_as_equal_and_different_ids_as_different()
    {
        CallIds.RunningCallComparer comparer = CallIds.RunningCallComparer.Instance;
        string text = Base64Url.EncodeToString(Raw);
        byte[] other = (byte[])Raw.Clone();
        other[^1] ^= 1;
        var prefix = new CallIds.Prefix(Raw[..CallIds.PrefixBytes]);
        ulong seqno = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Raw.AsSpan(CallIds.PrefixBytes));

        Assert.True(comparer.Equals(new(text, 0), new(Raw.Clone(), 0)));
        Assert.True(comparer.Equals(new(prefix, seqno), new(text, 0)));
        Assert.True(comparer.Equals(new(prefix, seqno), new(Raw, 7)));
        Assert.Equal(comparer.GetHashCode(new(text, 0)), comparer.GetHashCode(new(prefix, seqno)));
        Assert.Equal(comparer.GetHashCode(new(Raw, 3)), comparer.GetHashCode(new(prefix, seqno)));
        Assert.False(comparer.Equals(new(prefix, seqno + 1), new(prefix, seqno)));
        Assert.False(comparer.Equals(new(Raw, 0), new(other, 0)));
        Assert.False(comparer.Equals(new(text, 0), new(other, 0)));
        Assert.False(comparer.Equals(new("call-1", 0), new(Raw, 0)));
        Assert.True(comparer.Equals(new("call-1", 0), new("call-1", 5)));
    }

    [Fact]
    public void A_call_id_made_of_a_prefix_and_the_sequence_number_survives_a_round_trip_in_that_form()
    {
        var prefix = new CallIds.Prefix(Raw[..CallIds.PrefixBytes]);
        var message = new Message { Header = { SequenceNumber = 42, CallIdKey = prefix, ServiceName = "s" } };
        string text = message.Header.Clone().CallId;

        var context = new DecodeContext(null);
        MessageHeader first = Decode(Encode(message), context);
        MessageHeader second = Decode(Encode(message), context);

        Assert.Equal(text, first.CallId);
        Assert.IsType<CallIds.Prefix>(second.CallIdKey);
        Assert.Same(Decode(Encode(message), context).CallIdKey, second.CallIdKey);
        Assert.Equal(text, second.CallId);
    }

    [Fact]
    public void A_reply_with_the_connections_prefix_skips_the_call_table_and_any_other_reply_asks_it()
    {
        var prefix = new CallIds.Prefix(Raw[..CallIds.PrefixBytes]);
        var asked = new List<ulong>();
        var context = new DecodeContext(seqno =>
        {
            asked.Add(seqno);
            return seqno == 9 ? "custom-id" : null;
        });
        Message Reply(ulong seqno, object key) =>
            new() { Header = { SequenceNumber = seqno, CallIdKey = key, CallType = CallType.Reply } };

        MessageHeader first = Decode(Encode(Reply(1, prefix)), context);
        MessageHeader second = Decode(Encode(Reply(2, prefix)), context);
        MessageHeader custom = Decode(Encode(Reply(9, "custom-id")), context);
        var otherPrefix = new CallIds.Prefix(new byte[CallIds.PrefixBytes]);
        MessageHeader other = Decode(Encode(Reply(3, otherPrefix)), context);

        // The first reply teaches the context the prefix; the second is recognised without a lookup.
        Assert.Equal([1UL, 9UL, 3UL], asked);
        Assert.Same(first.CallIdKey, second.CallIdKey);
        Assert.Equal(Reply(2, prefix).Header.CallId, second.CallId);
        Assert.Equal("custom-id", custom.CallId);
        Assert.Equal(Reply(3, otherPrefix).Header.CallId, other.CallId);
    }

    [Fact]
    public void Changing_the_sequence_number_of_a_header_keeps_the_call_id_made_of_the_old_one()
    {
        var header = new MessageHeader { SequenceNumber = 42, CallIdKey = new CallIds.Prefix(Raw[..CallIds.PrefixBytes]) };
        string before = header.Clone().CallId;

        header.SequenceNumber = 43;

        Assert.IsType<byte[]>(header.CallIdKey);
        Assert.Equal(before, header.CallId);
    }

    [Fact]
    public void Setting_a_string_replaces_a_compact_id_and_clone_keeps_it()
    {
        var header = new MessageHeader { CallIdKey = Raw.Clone() };
        MessageHeader copy = header.Clone();

        header.CallId = "mine";

        Assert.Equal("mine", header.CallId);
        Assert.Equal(Base64Url.EncodeToString(Raw), copy.CallId);
    }

    private static MessageHeader Decode(byte[] body, DecodeContext context) =>
        MessageCodec.Decode(new ReadOnlySequence<byte>(body), context).Header;

    private static byte[] Encode(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
