using MessagePack;

namespace Rpc25519.Tube.StateMachines;

/// <summary>
/// The envelope of every replicated command: which session sent it and with which serial, and which state machine
/// it is for. Serialized with MessagePack (integer keys) into the log entry's bytes. Build one with the factory
/// methods and send <see cref="ToBytes"/>.
/// </summary>
[MessagePackObject]
public sealed class TubeCommand
{
    /// <summary>What to do.</summary>
    [Key(0)]
    public CommandKind Kind { get; init; }

    /// <summary>The session that sent the command; 0 for none (no exactly-once, no leases).</summary>
    [Key(1)]
    public long SessionId { get; init; }

    /// <summary>The session's serial for this command, from 1 upwards; a retry reuses the same serial.</summary>
    [Key(2)]
    public long Serial { get; init; }

    /// <summary>The lowest serial whose reply the client still waits for. Replies to older serials are dropped from
    /// the cache and those serials are refused as stale from then on. 0 means "this serial" (a client that sends
    /// one command at a time).</summary>
    [Key(3)]
    public long LowestPendingSerial { get; init; }

    /// <summary>The name of the target state machine (for <see cref="CommandKind.Apply"/>).</summary>
    [Key(4)]
    public string? Machine { get; init; }

    /// <summary>The machine-specific command bytes (for <see cref="CommandKind.Apply"/>).</summary>
    [Key(5)]
    public byte[]? Payload { get; init; }

    /// <summary>For <see cref="CommandKind.OpenSession"/>: the idle timeout asked for, in milliseconds (0 for the
    /// configured default; clamped to the configured bounds).</summary>
    [Key(6)]
    public long SessionTimeoutMs { get; init; }

    /// <summary>For <see cref="CommandKind.SetMemberAddress"/>: the member's node id.</summary>
    [Key(7)]
    public ulong MemberId { get; init; }

    /// <summary>For <see cref="CommandKind.SetMemberAddress"/>: the member's address ("host:port").</summary>
    [Key(8)]
    public string? MemberAddress { get; init; }

    /// <summary>A command for a state machine, sent in a session (or with session 0, outside of any).</summary>
    /// <param name="machine">The registered name of the target machine.</param>
    /// <param name="sessionId">The session id, or 0 for none.</param>
    /// <param name="serial">The session's serial for this command (a retry reuses it).</param>
    /// <param name="payload">The machine-specific command bytes.</param>
    /// <param name="lowestPendingSerial">The lowest serial the client still waits for (0: this one).</param>
    /// <returns>The command.</returns>
    public static TubeCommand ForMachine(
        string machine, long sessionId, long serial, byte[] payload, long lowestPendingSerial = 0) =>
        new()
        {
            Kind = CommandKind.Apply, Machine = machine, SessionId = sessionId, Serial = serial, Payload = payload,
            LowestPendingSerial = lowestPendingSerial,
        };

    /// <summary>A command that opens a session; the reply's payload is a <see cref="Sessions.SessionInfo"/>.</summary>
    /// <param name="timeout">The idle timeout asked for, or null for the configured default.</param>
    /// <returns>The command.</returns>
    public static TubeCommand OpenSession(TimeSpan? timeout = null) =>
        new() { Kind = CommandKind.OpenSession, SessionTimeoutMs = (long)(timeout?.TotalMilliseconds ?? 0) };

    /// <summary>A command that keeps a session alive.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The command.</returns>
    public static TubeCommand KeepAlive(long sessionId) => new() { Kind = CommandKind.KeepAlive, SessionId = sessionId };

    /// <summary>A command that closes a session and releases its leases.</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The command.</returns>
    public static TubeCommand CloseSession(long sessionId) =>
        new() { Kind = CommandKind.CloseSession, SessionId = sessionId };

    /// <summary>A command that only moves the log time forward (to the leader's stamp on its entry), so idle sessions
    /// expire and their leases are released even when no client writes.</summary>
    /// <returns>The command.</returns>
    public static TubeCommand Tick() => new() { Kind = CommandKind.Tick };

    /// <summary>A command that records a member's address in the replicated address book.</summary>
    /// <param name="memberId">The member's node id (not 0).</param>
    /// <param name="address">Its address, "host:port".</param>
    /// <returns>The command.</returns>
    public static TubeCommand SetMemberAddress(ulong memberId, string address) =>
        new() { Kind = CommandKind.SetMemberAddress, MemberId = memberId, MemberAddress = address };

    /// <summary>Serializes the command for a log entry.</summary>
    /// <returns>The MessagePack bytes.</returns>
    public byte[] ToBytes() => TubeSerializer.Serialize(this);
}
