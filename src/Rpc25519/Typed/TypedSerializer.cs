using MessagePack;
using MessagePack.Resolvers;

namespace Rpc25519.Typed;

/// <summary>The MessagePack settings typed calls use unless <see cref="RpcOptions.TypedSerializerOptions"/> says
/// otherwise.</summary>
internal static class TypedSerializer
{
    /// <summary>
    /// <see cref="ContractlessStandardResolver"/>: types with <c>[MessagePackObject]</c>/<c>[Key]</c> attributes are
    /// written as declared; plain classes and records without attributes are written as maps of their public members
    /// (by name). Input is treated as untrusted (hash-collision-safe collections, a depth limit).
    /// </summary>
    public static MessagePackSerializerOptions Default { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(ContractlessStandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
