using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>Plays the host for a <see cref="StateMachineSet"/>: numbers entries, stamps them with a leader time
/// and records them, so the same log can be replayed into another set.</summary>
internal sealed class MachineDriver
{
    public MachineDriver(StateMachineSet? set = null)
    {
        Set = set ?? StateMachineSet.WithKv();
    }

    public StateMachineSet Set { get; }

    public long Index { get; private set; }

    /// <summary>The leader time stamped on the next entry (Unix ms).</summary>
    public long TimeMs { get; set; } = 1_700_000_000_000;

    public List<(long Index, long TimeMs, byte[] Command)> Log { get; } = [];

    public TubeReply Send(TubeCommand command, long? leaderTimeMs = null)
    {
        Index++;
        long time = leaderTimeMs ?? TimeMs;
        byte[] bytes = command.ToBytes();
        Log.Add((Index, time, bytes));
        return TubeReply.FromBytes(Set.Apply(Index, time, bytes));
    }

    public void Advance(TimeSpan by) => TimeMs += (long)by.TotalMilliseconds;

    public TestSession OpenSession(TimeSpan? timeout = null)
    {
        var info = SessionInfo.FromBytes(Send(TubeCommand.OpenSession(timeout)).ThrowIfError());
        return new TestSession(this, info.SessionId);
    }

    /// <summary>A KV command outside of any session.</summary>
    public KvResult Kv(KvCommand command) =>
        KvResult.FromBytes(Send(TubeCommand.ForMachine(KvStateMachine.DefaultName, 0, 0, command.ToBytes()))
            .ThrowIfError());

    public KvResult Query(KvCommand command) =>
        KvResult.FromBytes(TubeReply.FromBytes(Set.Query(KvStateMachine.DefaultName, command.ToBytes())).ThrowIfError());

    /// <summary>Applies every recorded entry to <paramref name="other"/>.</summary>
    public void ReplayInto(StateMachineSet other)
    {
        foreach (var (index, time, command) in Log)
        {
            other.Apply(index, time, command);
        }
    }
}
