using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>A client session as a test sees it: numbers its commands and decodes replies.</summary>
internal sealed class TestSession(MachineDriver driver, long id)
{
    public long Id { get; } = id;

    public long LastSerial { get; private set; }

    public TubeReply SendSerial(string machine, byte[] payload, long serial, long? leaderTimeMs = null) =>
        driver.Send(TubeCommand.ForMachine(machine, Id, serial, payload), leaderTimeMs);

    public TubeReply Send(string machine, byte[] payload, long? leaderTimeMs = null) =>
        SendSerial(machine, payload, ++LastSerial, leaderTimeMs);

    public TubeReply SendKv(KvCommand command, long? leaderTimeMs = null) =>
        Send(KvStateMachine.DefaultName, command.ToBytes(), leaderTimeMs);

    public KvResult Kv(KvCommand command, long? leaderTimeMs = null) =>
        KvResult.FromBytes(SendKv(command, leaderTimeMs).ThrowIfError());

    public TubeReply KeepAlive() => driver.Send(TubeCommand.KeepAlive(Id));

    public TubeReply Close() => driver.Send(TubeCommand.CloseSession(Id));
}
