using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Ledger;
using Xunit.Sdk;

namespace Rpc25519.Tube.Tests.StateMachines;

public class BankLedgerTests
{
    private const string Ledger = BankLedger.DefaultName;

    [Fact]
    public void TransfersMoveMoneyAndOverdraftsAreRefused()
    {
        var (driver, ledger) = NewLedgerOnly();
        var session = driver.OpenSession();
        Open(session, "alice", 100);
        Open(session, "bob", 0);
        var moved = LedgerReply.FromBytes(session.Send(Ledger, Transfer("alice", "bob", 30)).ThrowIfError());
        Assert.Equal(70, moved.Balance);
        var e = Assert.Throws<CommandRejectedException>(() => session.Send(Ledger, Transfer("bob", "alice", 31)).ThrowIfError());
        Assert.Contains("holds 30", e.Message);
        Assert.Throws<CommandRejectedException>(() => session.Send(Ledger, Transfer("bob", "carol", 1)).ThrowIfError());
        Assert.Throws<InvalidCommandException>(() => session.Send(Ledger, Transfer("bob", "bob", 1)).ThrowIfError());
        Assert.Throws<CommandRejectedException>(() => Open(session, "bob", 5));

        var total = LedgerReply.FromBytes(TubeReply.FromBytes(driver.Set.Query(Ledger,
            new LedgerCommand { Operation = LedgerOperation.Total }.ToBytes())).ThrowIfError());
        Assert.Equal(100, total.Sum);
        Assert.Equal(100, total.Issued);
        ledger.CheckInvariant();
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void RandomTransfersWithRetriesKeepTheInvariantAndMatchTheModel(int seed) =>
        RunRandomTransfers(seed, new StateMachineOptions());

    [Fact]
    public void ApplyingRetriesTwiceIsCaughtByTheModelCheck() =>
        Assert.ThrowsAny<XunitException>(() => RunRandomTransfers(11, new StateMachineOptions { UnsafeReapplyRetries = true }));

    /// <summary>Several sessions transfer at random and retry a third of their commands; a client-side model of the
    /// balances (each successful transfer counted once) must match the ledger, and the ledger's invariant must
    /// hold after every step.</summary>
    private static void RunRandomTransfers(int seed, StateMachineOptions options)
    {
        var random = new Random(seed);
        var set = new StateMachineSet(options);
        var ledger = new BankLedger();
        set.Register(Ledger, ledger);
        var driver = new MachineDriver(set);
        var sessions = Enumerable.Range(0, 3).Select(_ => driver.OpenSession()).ToList();
        var model = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < 5; i++)
        {
            Open(sessions[0], "a" + i, 500);
            model["a" + i] = 500;
        }

        for (int step = 0; step < 500; step++)
        {
            driver.Advance(TimeSpan.FromMilliseconds(random.Next(100)));
            string from = "a" + random.Next(5);
            string to = "a" + random.Next(5);
            long amount = random.Next(1, 300);
            var session = sessions[random.Next(sessions.Count)];
            byte[] command = Transfer(from, to, amount);
            var reply = session.Send(Ledger, command);
            if (random.Next(3) == 0)
            {
                var retry = session.SendSerial(Ledger, command, session.LastSerial);
                Assert.Equal(reply.Error, retry.Error);
            }

            if (reply.IsSuccess)
            {
                model[from] -= amount;
                model[to] += amount;
            }

            ledger.CheckInvariant();
        }

        foreach (var (account, balance) in model)
        {
            var answer = LedgerReply.FromBytes(TubeReply.FromBytes(set.Query(Ledger,
                new LedgerCommand { Operation = LedgerOperation.Balance, Account = account }.ToBytes())).ThrowIfError());
            Assert.Equal(balance, answer.Balance);
        }

        Assert.Equal(2500, ledger.Issued);
    }

    private static (MachineDriver Driver, BankLedger Ledger) NewLedgerOnly()
    {
        var set = new StateMachineSet();
        var ledger = new BankLedger();
        set.Register(Ledger, ledger);
        return (new MachineDriver(set), ledger);
    }

    private static void Open(TestSession session, string account, long amount) =>
        session.Send(Ledger, new LedgerCommand { Operation = LedgerOperation.OpenAccount, Account = account, Amount = amount }
            .ToBytes()).ThrowIfError();

    private static byte[] Transfer(string from, string to, long amount) =>
        new LedgerCommand { Operation = LedgerOperation.Transfer, Account = from, ToAccount = to, Amount = amount }.ToBytes();
}
