using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.Client;

/// <summary>Sessions other than the client's own, and multi-key transactions: what the etcd v3 endpoint builds its
/// leases and Txn calls on. Such a session is only a lifetime: nothing is sent in it, keys written with it as their
/// owner (<see cref="KvTxnOp.Owner"/>) are deleted when it ends.</summary>
public sealed partial class TubeClient
{
    /// <summary>Opens a session that this client does not use for its own commands; it ends after
    /// <paramref name="timeout"/> of log time without a <see cref="KeepSessionAliveAsync"/>, or on
    /// <see cref="EndSessionAsync"/>. Not deduplicated: a retry after a lost answer may leave an extra session that
    /// simply expires.</summary>
    /// <param name="timeout">The idle timeout (the cluster clamps it to its minimum and maximum).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The session: its id, the timeout granted, when it expires.</returns>
    public async Task<SessionInfo> OpenOwnerSessionAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SessionInfo.FromBytes(await SubmitAsync(TubeCommand.OpenSession(timeout).ToBytes(), cancellationToken));

    /// <summary>Restarts the idle timeout of any open session.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The session with its new expiry.</returns>
    /// <exception cref="StateMachines.Errors.SessionExpiredException">The session is not open.</exception>
    public async Task<SessionInfo> KeepSessionAliveAsync(long sessionId, CancellationToken cancellationToken = default) =>
        SessionInfo.FromBytes(await SubmitAsync(TubeCommand.KeepAlive(sessionId).ToBytes(), cancellationToken));

    /// <summary>Ends any open session now: its leases are released and the keys it owns are deleted.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the session has ended.</returns>
    /// <exception cref="StateMachines.Errors.SessionExpiredException">The session is not open.</exception>
    public Task EndSessionAsync(long sessionId, CancellationToken cancellationToken = default) =>
        SubmitAsync(TubeCommand.CloseSession(sessionId).ToBytes(), cancellationToken);

    /// <summary>Reads a session and the keys of <paramref name="table"/> it owns.</summary>
    /// <param name="table">The table.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="mode">How fresh the answer must be.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see cref="KvResult.Session"/> (null when not open), <see cref="KvResult.Keys"/>,
    /// <see cref="KvResult.LogTimeMs"/> and <see cref="KvResult.Revision"/>.</returns>
    public Task<KvResult> GetSessionKeysAsync(string table, long sessionId, ReadMode mode = ReadMode.Linearizable,
        CancellationToken cancellationToken = default) =>
        KvReadAsync(KvCommands.SessionKeys(table, sessionId), mode, cancellationToken);

    /// <summary>Runs a multi-key transaction on one table, atomically at one log index. A read-only transaction
    /// (ranges only) is served as a read in <paramref name="readMode"/>; any other goes through the log exactly
    /// once.</summary>
    /// <param name="table">The table.</param>
    /// <param name="txn">The conditions and branches.</param>
    /// <param name="readMode">How fresh a read-only transaction's answer must be.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see cref="KvResult.Succeeded"/>, one result per operation in <see cref="KvResult.Results"/>, and
    /// the log index in <see cref="KvResult.Revision"/>.</returns>
    public Task<KvResult> TransactAsync(string table, KvTxn txn, ReadMode readMode = ReadMode.Linearizable,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(txn);
        KvCommand command = KvCommands.Txn(table, txn);
        return txn.IsReadOnly
            ? KvReadAsync(command, readMode, cancellationToken)
            : KvWriteAsync(command, cancellationToken);
    }
}
