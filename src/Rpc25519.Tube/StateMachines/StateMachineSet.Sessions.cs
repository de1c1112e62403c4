using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.StateMachines;

/// <summary>Client sessions (Raft dissertation ch. 6): exactly-once commands through cached replies.</summary>
public sealed partial class StateMachineSet
{
    private TubeReply ApplyInSession(long index, TubeCommand command)
    {
        if (command.SessionId == 0)
        {
            return ApplyToMachine(index, command);
        }

        var session = RequireSession(command.SessionId);
        long serial = command.Serial;
        if (serial < 1)
        {
            throw new InvalidCommandException($"Serial {serial} is not valid; number a session's commands from 1.");
        }

        sessions.Touch(session, LogTimeMs);
        long pending = command.LowestPendingSerial == 0 ? serial : Math.Min(command.LowestPendingSerial, serial);
        session.ForgetBelow(pending);
        if (serial < session.Floor)
        {
            throw new StaleSerialException(
                $"Serial {serial} of session {session.Id} is older than the oldest serial it still answers " +
                $"({session.Floor}): it may or may not have been applied. Do not retry it blindly; read the state, " +
                "then send a new command with a new serial.");
        }

        if (session.Replies.TryGetValue(serial, out var cached) && !options.UnsafeReapplyRetries)
        {
            return cached.AsDuplicate();
        }

        if (session.Unanswerable.Contains(serial) && !options.UnsafeReapplyRetries)
        {
            throw new StaleSerialException(
                $"Serial {serial} of session {session.Id} was applied, but its reply is no longer cached (more than " +
                $"{options.MaxCachedRepliesPerSession} newer replies of the session were cached while it was retried). " +
                "Do not retry it blindly; read the state, then send a new command with a new serial.");
        }

        var reply = ApplyToMachine(index, command);
        session.Remember(serial, reply, options.MaxCachedRepliesPerSession);
        return reply;
    }

    /// <summary>
    /// The reply this replica applied for a session's serial, for a client that waits on it here rather than on the
    /// leader: <see cref="CachedReplyState.Applied"/> with the reply's bytes; <see cref="CachedReplyState.Gone"/> when
    /// it can no longer come (the session moved past the serial, or its reply was dropped); otherwise
    /// <see cref="CachedReplyState.NotYet"/> (not applied here yet, or the session is not open here yet).
    /// </summary>
    internal CachedReplyState FindCachedReply(long sessionId, long serial, out byte[]? reply)
    {
        reply = null;
        if (!sessions.TryGet(sessionId, out var session))
        {
            return CachedReplyState.NotYet;
        }

        if (session.Replies.TryGetValue(serial, out var cached))
        {
            reply = cached.ToBytes();
            return CachedReplyState.Applied;
        }

        return serial < session.Floor || session.Unanswerable.Contains(serial)
            ? CachedReplyState.Gone
            : CachedReplyState.NotYet;
    }

    private TubeReply OpenSession(long index, TubeCommand command)
    {
        if (sessions.Count >= options.MaxSessions)
        {
            throw new SessionLimitException(
                $"{sessions.Count} sessions are open, the limit (StateMachineOptions.MaxSessions); close sessions " +
                "that are no longer used, wait for idle ones to expire, or raise the limit on every replica.");
        }

        long timeoutMs = command.SessionTimeoutMs <= 0
            ? (long)options.DefaultSessionTimeout.TotalMilliseconds
            : Math.Clamp(command.SessionTimeoutMs, (long)options.MinSessionTimeout.TotalMilliseconds,
                (long)options.MaxSessionTimeout.TotalMilliseconds);
        return SessionReply(index, sessions.Open(index, timeoutMs, LogTimeMs));
    }

    private TubeReply KeepAlive(long index, TubeCommand command)
    {
        var session = RequireSession(command.SessionId);
        sessions.Touch(session, LogTimeMs);
        return SessionReply(index, session);
    }

    private TubeReply CloseSession(long index, TubeCommand command)
    {
        RequireSession(command.SessionId);
        EndSession(index, command.SessionId);
        return TubeReply.Success(index, []);
    }

    private static TubeReply SessionReply(long index, ClientSession session) =>
        TubeReply.Success(index, TubeSerializer.Serialize(new SessionInfo
        {
            SessionId = session.Id, TimeoutMs = session.TimeoutMs, ExpiresAtMs = session.ExpiresAtMs,
        }));

    private bool IsSessionOpen(long id) => sessions.TryGet(id, out _);

    private SessionInfo? FindSession(long id) => sessions.TryGet(id, out var session)
        ? new SessionInfo { SessionId = session.Id, TimeoutMs = session.TimeoutMs, ExpiresAtMs = session.ExpiresAtMs }
        : null;

    private ClientSession RequireSession(long id) => sessions.TryGet(id, out var session)
        ? session
        : throw new SessionExpiredException(
            $"Session {id} is not open (it expired after its idle timeout by log time, was closed, or never " +
            "existed); its leases are released. Open a new session and retry.");

    private void ExpireSessions(long index)
    {
        foreach (long id in sessions.ExpiredAt(LogTimeMs))
        {
            EndSession(index, id);
        }
    }

    private void EndSession(long index, long id)
    {
        sessions.Remove(id);
        foreach (var (name, machine) in machines)
        {
            try
            {
                machine.OnSessionEnded(new ApplyContext(Changes, name, index, LogTimeMs, id, IsSessionOpen), id);
            }
            catch (Exception e) when (IsHookFault(e))
            {
                // The session ends anyway; the machine's bug is logged, as for a command (TubeException included:
                // there is nobody to refuse here).
                Fault(name, e);
            }
        }
    }
}
