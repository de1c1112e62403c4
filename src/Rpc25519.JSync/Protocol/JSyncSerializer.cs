using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Encodes and decodes jsync messages (MessagePack, integer keys, untrusted-data limits on decode).</summary>
public static class JSyncSerializer
{
    /// <summary>The options every jsync message is encoded and decoded with.</summary>
    public static MessagePackSerializerOptions Options { get; } =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes a message.</summary>
    public static byte[] Serialize(JSyncMessage message) => MessagePackSerializer.Serialize(message, Options);

    /// <summary>Decodes a message.</summary>
    /// <exception cref="JSyncProtocolException">The bytes are not a jsync message.</exception>
    public static JSyncMessage Deserialize(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return MessagePackSerializer.Deserialize<JSyncMessage>(bytes, Options)
                ?? throw new JSyncProtocolException("Received an empty jsync message.");
        }
        catch (MessagePackSerializationException ex)
        {
            throw new JSyncProtocolException($"Received bytes that are not a jsync message ({ex.Message}).");
        }
    }
}
