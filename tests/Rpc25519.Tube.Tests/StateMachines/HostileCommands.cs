using System.Text;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Ledger;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>Seeded hostile commands and queries: random bytes, and well-formed commands whose fields take missing,
/// empty, negative, enormous or out-of-range values, over a few tables and keys so that they also collide.</summary>
internal sealed class HostileCommands(Random random)
{
    private static readonly string?[] Tables = [null, "", "t", "u", "x/y", new string('n', 300), "\0", "ledger"];
    private static readonly int[] Limits = [int.MinValue, -1, 0, 1, 3, int.MaxValue];
    private static readonly long[] Numbers = [long.MinValue, -1, 0, 1, 2, 3, 500, 60_000, long.MaxValue];

    /// <summary>The leader's stamp for the next entry: mostly a little later, sometimes earlier (a skewed or new
    /// leader), sometimes far later.</summary>
    public long NextLeaderTime(long previous) => random.Next(20) switch
    {
        0 => previous - random.Next(10_000),
        1 => previous + random.Next(3_600_000),
        _ => previous + random.Next(100),
    };

    public byte[] NextCommand() => random.Next(10) switch
    {
        0 => RandomBytes(64),
        1 => new TubeCommand
        {
            Kind = (CommandKind)random.Next(-1, 8), SessionId = SessionId(), Serial = Number(),
            LowestPendingSerial = Number(), Machine = Machine(), Payload = random.Next(2) == 0 ? null : RandomBytes(16),
            SessionTimeoutMs = Number(), MemberId = (ulong)random.NextInt64(), MemberAddress = Table(),
        }.ToBytes(),
        2 => Session(),
        3 => TubeCommand.ForMachine(BankLedger.DefaultName, SessionId(), Number(), Ledger().ToBytes()).ToBytes(),
        _ => TubeCommand.ForMachine(KvStateMachine.DefaultName, SessionId(), Number(), Kv().ToBytes()).ToBytes(),
    };

    public (string Machine, byte[] Query) NextQuery() => random.Next(6) switch
    {
        0 => (Machine() ?? "", RandomBytes(64)),
        1 => (BankLedger.DefaultName, Ledger().ToBytes()),
        _ => (KvStateMachine.DefaultName, Kv().ToBytes()),
    };

    private byte[] Session() => random.Next(3) switch
    {
        0 => new TubeCommand { Kind = CommandKind.OpenSession, SessionTimeoutMs = Number() }.ToBytes(),
        1 => TubeCommand.KeepAlive(SessionId()).ToBytes(),
        _ => TubeCommand.CloseSession(SessionId()).ToBytes(),
    };

    private KvCommand Kv() => new()
    {
        Operation = (KvOperation)random.Next(-1, 15), Table = Table(), Key = Key(), Value = Value(), EndKey = Key(),
        Limit = Limits[random.Next(Limits.Length)], Descending = random.Next(2) == 0, LeaseMs = Number(),
        ExpectedValue = random.Next(3) == 0 ? Value() : null,
        ExpectedVersion = random.Next(3) == 0 ? Number() : null,
        ExpectedFencingToken = random.Next(4) == 0 ? Number() : null,
        NewName = Table(), Txn = random.Next(4) == 0 ? Txn() : null, Owner = SessionId(),
    };

    private KvTxn Txn() => new()
    {
        Compares = [.. Enumerable.Range(0, random.Next(4)).Select(_ => new KvCompare
        {
            Key = Key()!, EndKey = Key(), Target = (KvCompareTarget)random.Next(-1, 5),
            Result = (KvCompareResult)random.Next(-1, 5), Number = Number(), Value = Value(),
        })],
        Success = Ops(),
        Failure = Ops(),
    };

    private List<KvTxnOp> Ops() => [.. Enumerable.Range(0, random.Next(4)).Select(_ => new KvTxnOp
    {
        Kind = (KvTxnOpKind)random.Next(-1, 4), Key = Key()!, EndKey = Key(), Value = Value(),
        Owner = SessionId(), KeepOwner = random.Next(2) == 0, KeepValue = random.Next(2) == 0,
        Limit = Limits[random.Next(Limits.Length)], Descending = random.Next(2) == 0,
        WithPrevious = random.Next(2) == 0, KeysOnly = random.Next(2) == 0,
    })];

    private LedgerCommand Ledger() => new()
    {
        Operation = (LedgerOperation)random.Next(-1, 5), Account = Table(), ToAccount = Table(), Amount = Number(),
    };

    private string? Machine() => random.Next(5) switch
    {
        0 => null,
        1 => "",
        2 => "nope",
        3 => BankLedger.DefaultName,
        _ => KvStateMachine.DefaultName,
    };

    private string? Table() => Tables[random.Next(Tables.Length)];

    /// <summary>Session ids: none, real ones (sessions are numbered by the entry that opened them), and nonsense.</summary>
    private long SessionId() => random.Next(4) switch
    {
        0 => 0,
        1 => Number(),
        _ => random.Next(1, 200),
    };

    private long Number() => Numbers[random.Next(Numbers.Length)];

    private byte[]? Key() => random.Next(8) switch
    {
        0 => null,
        1 => [],
        2 => [0xFF, 0xFF],
        3 => RandomBytes(1_000),
        _ => Encoding.ASCII.GetBytes(((char)('a' + random.Next(3))).ToString()),
    };

    private byte[]? Value() => random.Next(100) switch
    {
        0 => new byte[(1024 * 1024) + 1],
        < 10 => null,
        < 20 => [],
        _ => RandomBytes(32),
    };

    private byte[] RandomBytes(int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }
}
