using Microsoft.Extensions.Logging;

namespace Rpc25519.Tube.Hosting;

/// <summary>Log events of the Tube replica host (event ids 720–729).</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 720, EventName = "ReplicaStarted", Level = LogLevel.Information,
        Message = "Tube replica {NodeId} listening on {Address}: term {Term}, last index {LastIndex}, snapshot at " +
            "{SnapshotIndex}")]
    public static partial void Started(ILogger logger, ulong nodeId, string address, long term, long lastIndex,
        long snapshotIndex);

    [LoggerMessage(EventId = 721, EventName = "RoleChanged", Level = LogLevel.Information,
        Message = "Tube replica {NodeId} is now {Role} in term {Term} (leader {LeaderId})")]
    public static partial void RoleChanged(ILogger logger, ulong nodeId, string role, long term, ulong leaderId);

    [LoggerMessage(EventId = 722, EventName = "PeerUnreachable", Level = LogLevel.Debug,
        Message = "Tube replica {NodeId} cannot reach peer {PeerId} at {Address}: {Reason}")]
    public static partial void PeerUnreachable(ILogger logger, ulong nodeId, ulong peerId, string address,
        string reason);

    [LoggerMessage(EventId = 723, EventName = "BadRaftMessage", Level = LogLevel.Warning,
        Message = "Tube replica {NodeId} dropped a Raft message from {From} that no replica sends: {Reason}")]
    public static partial void BadRaftMessage(ILogger logger, ulong nodeId, string from, string reason);

    [LoggerMessage(EventId = 724, EventName = "SnapshotTaken", Level = LogLevel.Debug,
        Message = "Tube replica {NodeId} compacted its log through index {Index} ({Bytes} bytes of state)")]
    public static partial void SnapshotTaken(ILogger logger, ulong nodeId, long index, int bytes);

    [LoggerMessage(EventId = 725, EventName = "SnapshotInstalled", Level = LogLevel.Information,
        Message = "Tube replica {NodeId} installed a snapshot at index {Index} from the leader")]
    public static partial void SnapshotInstalled(ILogger logger, ulong nodeId, long index);

    [LoggerMessage(EventId = 726, EventName = "HostLoopFailed", Level = LogLevel.Critical,
        Message = "Tube replica {NodeId} stopped: its host loop failed; restart the process (storage is intact up " +
            "to the last fsync)")]
    public static partial void LoopFailed(ILogger logger, ulong nodeId, Exception exception);

    [LoggerMessage(EventId = 727, EventName = "CatchUpTicks", Level = LogLevel.Debug,
        Message = "Tube replica {NodeId} delivered {Ticks} missed ticks after a pause")]
    public static partial void CatchUpTicks(ILogger logger, ulong nodeId, long ticks);

    [LoggerMessage(EventId = 735, EventName = "MembershipForced", Level = LogLevel.Warning,
        Message = "Tube replica {NodeId}: membership FORCED to voters [{Voters}] shadows [{Shadows}] without safety " +
            "checks (rescue); committed entries held only by removed members may be lost")]
    public static partial void MembershipForced(ILogger logger, ulong nodeId, string voters, string shadows);

    [LoggerMessage(EventId = 736, EventName = "MembershipCleared", Level = LogLevel.Warning,
        Message = "Tube replica {NodeId}: membership (version {Version}) CLEARED on request (rescue); it will not " +
            "campaign until a leader sends it a configuration")]
    public static partial void MembershipCleared(ILogger logger, ulong nodeId, long version);

    [LoggerMessage(EventId = 765, EventName = "StateMachineFault", Level = LogLevel.Error,
        Message = "Tube replica {NodeId}: state machine '{Machine}' threw instead of refusing with a TubeException; " +
            "the command was answered with StateMachineFaultException. Fix the machine")]
    public static partial void StateMachineFault(ILogger logger, ulong nodeId, string machine, Exception exception);
}
