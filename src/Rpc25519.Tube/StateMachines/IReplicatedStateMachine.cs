namespace Rpc25519.Tube.StateMachines;

/// <summary>
/// A deterministic state machine replicated by Tube, registered by name in a <see cref="StateMachineSet"/>. The set
/// wraps it in client sessions (exactly-once retries), snapshots and the change feed, so the machine only has to
/// be deterministic: the same commands in the same order must give the same state and replies on every replica.
/// </summary>
/// <remarks>
/// Rules: no clock (use <see cref="ApplyContext.LogTimeMs"/>), no randomness, no iteration over hash-ordered
/// collections that reaches state, replies or snapshots (use sorted collections). To refuse a command, throw a
/// <see cref="Errors.TubeException"/> (for example <see cref="Errors.CommandRejectedException"/>) <em>before</em>
/// changing any state: the refusal is replicated as the reply. Any other exception is a bug and stops the replica.
/// </remarks>
public interface IReplicatedStateMachine
{
    /// <summary>Applies one committed command.</summary>
    /// <param name="context">The entry's index, the log time and the sending session.</param>
    /// <param name="command">The machine-specific command bytes.</param>
    /// <returns>The reply bytes for the client.</returns>
    byte[] Apply(ApplyContext context, ReadOnlyMemory<byte> command);

    /// <summary>Answers a read without changing state (served after a ReadIndex or lease check by the host).</summary>
    /// <param name="context">How far the state is applied, and the log time there.</param>
    /// <param name="query">The machine-specific query bytes.</param>
    /// <returns>The answer bytes.</returns>
    byte[] Query(ReadContext context, ReadOnlyMemory<byte> query);

    /// <summary>Writes the machine's whole state. The bytes must depend only on the state (same state, same
    /// bytes), because replicas compare state hashes.</summary>
    /// <param name="destination">Where to write.</param>
    void WriteSnapshot(Stream destination);

    /// <summary>Replaces the machine's whole state with a snapshot written by <see cref="WriteSnapshot"/>.</summary>
    /// <param name="source">The snapshot bytes (exactly those written, nothing after).</param>
    void RestoreSnapshot(Stream source);

    /// <summary>Called when a session closes or expires, so the machine can drop what the session owned (leases,
    /// locks). Runs inside the apply of the entry that ended the session. The default does nothing.</summary>
    /// <param name="context">The entry that ended the session.</param>
    /// <param name="sessionId">The session that ended.</param>
    void OnSessionEnded(ApplyContext context, long sessionId)
    {
    }
}
