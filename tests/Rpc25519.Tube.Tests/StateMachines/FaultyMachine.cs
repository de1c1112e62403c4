using Rpc25519.Tube.StateMachines;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>A state machine with a bug: it counts the commands it applies, and throws (without refusing first) on
/// a command or query of one byte 0xFF, and whenever a session ends.</summary>
internal sealed class FaultyMachine : IReplicatedStateMachine
{
    public const string Name = "faulty";

    public long Applied { get; private set; }

    public byte[] Apply(ApplyContext context, ReadOnlyMemory<byte> command)
    {
        Applied++;
        return command.Span is [0xFF] ? throw new InvalidOperationException("the bug") : BitConverter.GetBytes(Applied);
    }

    public byte[] Query(ReadContext context, ReadOnlyMemory<byte> query) =>
        query.Span is [0xFF] ? throw new KeyNotFoundException("the query bug") : BitConverter.GetBytes(Applied);

    public void OnSessionEnded(ApplyContext context, long sessionId) =>
        throw new InvalidOperationException("the session bug");

    public void WriteSnapshot(Stream destination) => destination.Write(BitConverter.GetBytes(Applied));

    public void RestoreSnapshot(Stream source)
    {
        var bytes = new byte[8];
        source.ReadExactly(bytes);
        Applied = BitConverter.ToInt64(bytes);
    }
}
