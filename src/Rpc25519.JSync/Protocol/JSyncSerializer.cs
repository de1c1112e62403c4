using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Encodes and decodes jsync messages (MessagePack, integer keys, untrusted-data limits on decode).</summary>
public static class JSyncSerializer
{
    /// <summary>The options every jsync message is encoded and decoded with.</summary>
    public static MessagePackSerializerOptions Options { get; } =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes a message.</summary>
    public static byte[] Serialize(JSyncMessage message) => message is FilePlan { Data.Length: >= DirectPlanBytes } plan
        ? FilePlanFormatter.SerializeMessage(plan, Options) // the bulk of a copy: its bytes are copied once, not twice
        : MessagePackSerializer.Serialize(message, Options);

    /// <summary>Plans with at least this many literal bytes are encoded by <see cref="FilePlanFormatter.SerializeMessage"/>.</summary>
    private const int DirectPlanBytes = 4096;

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
