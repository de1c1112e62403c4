using MessagePack;

namespace Rpc25519.Tube.StateMachines.Sessions;

/// <summary>The reply to opening a session or keeping it alive.</summary>
[MessagePackObject]
public sealed class SessionInfo
{
    /// <summary>The session id (the log index of the command that opened it). Send it with every command.</summary>
    [Key(0)]
    public long SessionId { get; init; }

    /// <summary>The idle timeout granted, in milliseconds of log time.</summary>
    [Key(1)]
    public long TimeoutMs { get; init; }

    /// <summary>The log time (Unix milliseconds) at which the session expires unless it is used or kept alive.</summary>
    [Key(2)]
    public long ExpiresAtMs { get; init; }

    /// <summary>Decodes the payload of an open-session or keep-alive reply.</summary>
    /// <param name="payload">The reply payload.</param>
    /// <returns>The session info.</returns>
    public static SessionInfo FromBytes(ReadOnlyMemory<byte> payload) => TubeSerializer.Deserialize<SessionInfo>(payload);
}
