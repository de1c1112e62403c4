namespace Rpc25519.Tests.Security;

/// <summary>The security tests run one class at a time: they make keys and move megabytes through TLS, and running
/// them side by side would only load the machine under the timing-sensitive core tests.</summary>
[CollectionDefinition("Security")]
public sealed class SecurityCollection
{
}
