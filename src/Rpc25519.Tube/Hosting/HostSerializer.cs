using MessagePack;
using MessagePack.Resolvers;

namespace Rpc25519.Tube.Hosting;

/// <summary>MessagePack settings for the client protocol: integer keys, untrusted input.</summary>
internal static class HostSerializer
{
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolverAllowPrivate.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
