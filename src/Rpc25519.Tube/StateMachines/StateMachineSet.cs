using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.StateMachines;

/// <summary>
/// The replicated state of a Tube replica: the registered state machines (the KV store, user machines), the client
/// sessions that give them exactly-once retries, and the change feed. The host applies every committed entry in
/// log order with <see cref="ApplyEntry"/> (or <see cref="Apply"/>) and sends the returned reply bytes to the
/// client; it serves reads with <see cref="Query"/> once the read's index is applied. Pure and deterministic: no
/// clock (time comes from the leader's stamp in each entry, and never goes backwards), no randomness, no I/O. Not
/// thread-safe: the host loop owns it.
/// </summary>
public sealed partial class StateMachineSet
{
    private readonly StateMachineOptions options;
    private readonly SortedDictionary<string, IReplicatedStateMachine> machines = new(StringComparer.Ordinal);
    private readonly SessionTable sessions = new();
    private readonly SortedDictionary<ulong, string> memberAddresses = [];

    /// <summary>Creates an empty set; register machines before the first entry is applied.</summary>
    /// <param name="options">The limits; every replica must use the same.</param>
    public StateMachineSet(StateMachineOptions? options = null)
    {
        this.options = options ?? new StateMachineOptions();
        this.options.Validate();
        Changes = new ChangeFeed(this.options.ChangeFeedMaxEvents, this.options.ChangeFeedMaxBytes);
    }

    /// <summary>The limits in force.</summary>
    public StateMachineOptions Options => options;

    /// <summary>The index of the last applied entry (0 before any).</summary>
    public long AppliedIndex { get; private set; }

    /// <summary>The log time in Unix milliseconds: the largest leader stamp applied so far.</summary>
    public long LogTimeMs { get; private set; }

    /// <summary>How many sessions are open.</summary>
    public int SessionCount => sessions.Count;

    /// <summary>How many keys of the registered KV stores are under a lease (for the <c>tube.leases</c> gauge).</summary>
    internal int LeaseCount => machines.Values.OfType<KvStateMachine>().Sum(kv => kv.LeaseCount);

    /// <summary>The changes applied recently, in log order, for watchers.</summary>
    public ChangeFeed Changes { get; }

    /// <summary>The replicated address book: the address of every member whose address went through the log
    /// (<see cref="CommandKind.SetMemberAddress"/>), by node id. The same on every replica that applied the same
    /// entries; kept in snapshots.</summary>
    public IReadOnlyDictionary<ulong, string> MemberAddresses => memberAddresses;

    /// <summary>The registered machine names, in ordinal order.</summary>
    public IReadOnlyCollection<string> MachineNames => machines.Keys;

    /// <summary>Creates a set with the KV store registered as <see cref="KvStateMachine.DefaultName"/>.</summary>
    /// <param name="options">The limits; every replica must use the same.</param>
    /// <returns>The set.</returns>
    public static StateMachineSet WithKv(StateMachineOptions? options = null)
    {
        var set = new StateMachineSet(options);
        set.Register(KvStateMachine.DefaultName, new KvStateMachine(set.Options));
        return set;
    }

    /// <summary>Registers a machine by name. Every replica must register the same machines under the same names
    /// before applying anything.</summary>
    /// <param name="name">The name commands use to reach it.</param>
    /// <param name="machine">The machine.</param>
    public void Register(string name, IReplicatedStateMachine machine)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(machine);
        if (AppliedIndex != 0)
        {
            throw new InvalidOperationException(
                $"Register '{name}' before the first entry is applied (applied index is {AppliedIndex}): every " +
                "replica must hold the same machines from the start.");
        }

        if (!machines.TryAdd(name, machine))
        {
            throw new ArgumentException($"A state machine is already registered as '{name}'; pick another name.",
                nameof(name));
        }
    }

    /// <summary>The machine registered as <paramref name="name"/>.</summary>
    /// <param name="name">The registered name.</param>
    /// <returns>The machine.</returns>
    public IReplicatedStateMachine GetMachine(string name) => machines.TryGetValue(name, out var machine)
        ? machine
        : throw new UnknownStateMachineException(UnknownMachineMessage(name));

    /// <summary>Applies one committed log entry: a no-op just advances the applied index; a command must be made by
    /// <see cref="StampedCommand.Create"/>.</summary>
    /// <param name="entry">The next committed entry.</param>
    /// <returns>The serialized <see cref="TubeReply"/> (empty for a no-op).</returns>
    public byte[] ApplyEntry(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind == LogEntryKind.NoOp)
        {
            Advance(entry.Index);
            Changes.Advance(entry.Index);
            return [];
        }

        if (entry.Data.Length < StampedCommand.HeaderLength)
        {
            Advance(entry.Index);
            Changes.Advance(entry.Index);
            return TubeReply.Failure(entry.Index, new MalformedCommandException(
                $"Entry {entry.Index} has no leader time stamp; propose bytes made by StampedCommand.Create.")).ToBytes();
        }

        var command = StampedCommand.Read(entry.Data, out long leaderTimeMs);
        return Apply(entry.Index, leaderTimeMs, command);
    }

    /// <summary>Applies one committed command.</summary>
    /// <param name="index">The entry's log index; larger than every index applied before.</param>
    /// <param name="leaderUnixTimeMs">The time the leader stamped on the entry (Unix milliseconds). The log time
    /// becomes the largest stamp seen, so a leader with a slow clock cannot move time backwards.</param>
    /// <param name="command">A serialized <see cref="TubeCommand"/>.</param>
    /// <returns>The serialized <see cref="TubeReply"/>.</returns>
    public byte[] Apply(long index, long leaderUnixTimeMs, ReadOnlyMemory<byte> command)
    {
        Advance(index);
        LogTimeMs = Math.Max(LogTimeMs, leaderUnixTimeMs);
        ExpireSessions(index);
        TubeReply reply;
        try
        {
            reply = Dispatch(index, TubeSerializer.Deserialize<TubeCommand>(command));
        }
        catch (TubeException e)
        {
            reply = TubeReply.Failure(index, e);
        }

        Changes.Advance(index);
        return reply.ToBytes();
    }

    /// <summary>Answers a read from the machine named <paramref name="machine"/> as of the applied index.</summary>
    /// <param name="machine">The registered name.</param>
    /// <param name="query">The machine-specific query bytes.</param>
    /// <returns>The serialized <see cref="TubeReply"/>.</returns>
    public byte[] Query(string machine, ReadOnlyMemory<byte> query)
    {
        try
        {
            byte[] answer = GetMachine(machine).Query(
                new ReadContext(AppliedIndex, LogTimeMs) { FindSession = FindSession }, query);
            return TubeReply.Success(AppliedIndex, answer).ToBytes();
        }
        catch (TubeException e)
        {
            return TubeReply.Failure(AppliedIndex, e).ToBytes();
        }
        catch (Exception e) when (IsMachineFault(e))
        {
            return TubeReply.Failure(AppliedIndex, Fault(machine, e)).ToBytes();
        }
    }

    private void Advance(long index)
    {
        if (index <= AppliedIndex)
        {
            throw new InvalidOperationException(
                $"Entry {index} arrives after entry {AppliedIndex} was applied; apply each committed entry once, in " +
                "log order (after a restart, restore the snapshot and apply only the entries after it).");
        }

        AppliedIndex = index;
    }

    private TubeReply Dispatch(long index, TubeCommand command) => command.Kind switch
    {
        CommandKind.Apply => ApplyInSession(index, command),
        CommandKind.OpenSession => OpenSession(index, command),
        CommandKind.KeepAlive => KeepAlive(index, command),
        CommandKind.CloseSession => CloseSession(index, command),
        CommandKind.Tick => TubeReply.Success(index, []),
        CommandKind.SetMemberAddress => SetMemberAddress(index, command),
        _ => throw new MalformedCommandException(
            $"Unknown command kind {(int)command.Kind}; the sender is newer than the replicas."),
    };

    private TubeReply SetMemberAddress(long index, TubeCommand command)
    {
        if (command.MemberId == 0 || string.IsNullOrWhiteSpace(command.MemberAddress))
        {
            throw new InvalidCommandException(
                "A member address needs a non-zero node id and a non-empty \"host:port\" address.");
        }

        memberAddresses[command.MemberId] = command.MemberAddress;
        return TubeReply.Success(index, []);
    }

    private TubeReply ApplyToMachine(long index, TubeCommand command)
    {
        try
        {
            string name = command.Machine ?? "";
            var machine = GetMachine(name);
            var context = new ApplyContext(Changes, name, index, LogTimeMs, command.SessionId, IsSessionOpen);
            return TubeReply.Success(index, machine.Apply(context, command.Payload ?? []));
        }
        catch (TubeException e)
        {
            return TubeReply.Failure(index, e);
        }
        catch (Exception e) when (IsMachineFault(e))
        {
            return TubeReply.Failure(index, Fault(command.Machine ?? "", e));
        }
    }

    /// <summary>Told of every exception a machine threw that was not a <see cref="TubeException"/> (the machine's
    /// name and the exception); the host logs them. Called on the thread that applies or queries.</summary>
    internal Action<string, Exception>? MachineFaulted { get; set; }

    /// <summary>Whether <paramref name="e"/>, thrown by a machine, is answered as a
    /// <see cref="StateMachineFaultException"/>: anything but a refusal, except running out of memory, which depends
    /// on the process rather than the entry (so the replicas might not agree on it).</summary>
    private static bool IsMachineFault(Exception e) => e is not TubeException and not OutOfMemoryException;

    /// <summary>Whether a machine's exception from a hook that cannot refuse (<see
    /// cref="IReplicatedStateMachine.OnSessionEnded"/>) is caught and logged: all but running out of memory.</summary>
    private static bool IsHookFault(Exception e) => e is not OutOfMemoryException;

    private StateMachineFaultException Fault(string machine, Exception e)
    {
        MachineFaulted?.Invoke(machine, e);
        return StateMachineFaultException.For(machine, e);
    }

    private string UnknownMachineMessage(string name) =>
        $"No state machine is registered as '{name}' (registered: {string.Join(", ", machines.Keys)}); register " +
        "it on every replica, or send the command to one of those.";
}
