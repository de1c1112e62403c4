namespace Rpc25519.Tube.Raft;

/// <summary>What a <see cref="LogEntry"/> carries.</summary>
public enum LogEntryKind
{
    /// <summary>An application command proposed with <see cref="RaftNode.Propose"/>.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends at the start of its term; the host applies it as a
    /// no-op.</summary>
    NoOp = 1,
}
