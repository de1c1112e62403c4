using Rpc25519.Messages;

namespace Rpc25519.Rpc.Streams;

/// <summary>
/// Flow control shared by both ends of a stream. Each direction of a stream has a byte budget: the sender may send a
/// part while the bytes it has sent are below the total the receiver has allowed; the receiver raises the total (with
/// a <see cref="WireCallType.StreamCredit"/> frame carrying the new absolute total) as its consumer takes parts. So a
/// slow consumer slows its sender, the receiver's queue never holds more than its window plus one part, and the
/// connection's reader loop never waits for one stream: the other calls on the connection keep flowing.
/// </summary>
internal static class StreamCredit
{
    /// <summary>The credit every stream direction starts with, before the receiver has said anything. Part of the
    /// protocol: both sides must use the same value.</summary>
    public const long InitialBytes = 256 * 1024;

    /// <summary>What a part costs beyond its payload, so that empty parts are bounded too.</summary>
    public const int PartOverheadBytes = 256;

    /// <summary>The credit a part uses.</summary>
    public static long Cost(Message part) => part.Payload.Length + PartOverheadBytes;
}
