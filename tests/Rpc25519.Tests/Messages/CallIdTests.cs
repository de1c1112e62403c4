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
    public void The_key_comparer_takes_both_forms_of_one_id_as_equal_and_different_ids_as_different()
    {
        CallIds.KeyComparer comparer = CallIds.KeyComparer.Instance;
        string text = Base64Url.EncodeToString(Raw);
        byte[] other = (byte[])Raw.Clone();
        other[^1] ^= 1;

        Assert.True(comparer.Equals(text, Raw.Clone()));
        Assert.Equal(comparer.GetHashCode(text), comparer.GetHashCode(Raw.Clone()));
        Assert.True(comparer.Equals(Raw, Raw.Clone()));
        Assert.False(comparer.Equals(Raw, other));
        Assert.False(comparer.Equals(text, other));
        Assert.False(comparer.Equals("call-1", Raw));
        Assert.True(comparer.Equals("call-1", "call-1"));
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

    private static byte[] Encode(Message message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
