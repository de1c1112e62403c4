using MessagePack;
using MessagePack.Resolvers;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines;

/// <summary>MessagePack settings for commands, replies and snapshots: declared integer keys only, input treated as
/// untrusted. Lists, never dictionaries, so the bytes are the same on every replica.</summary>
internal static class TubeSerializer
{
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolverAllowPrivate.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    public static void Serialize<T>(Stream destination, T value) =>
        MessagePackSerializer.Serialize(destination, value, Options);

    /// <summary>Decodes command bytes; undecodable bytes become a <see cref="MalformedCommandException"/>, which
    /// every replica raises alike because it depends only on the bytes.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(bytes, Options)
                ?? throw new MalformedCommandException($"A {typeof(T).Name} decoded as nil; send a complete one.");
        }
        catch (MessagePackSerializationException e)
        {
            throw new MalformedCommandException(
                $"Could not decode a {typeof(T).Name} ({e.Message}); check that the sender uses the same command " +
                "format as the replicas.");
        }
    }

    public static T Deserialize<T>(Stream source) =>
        MessagePackSerializer.Deserialize<T>(source, Options)
        ?? throw new InvalidDataException($"The snapshot holds no {typeof(T).Name}.");
}
