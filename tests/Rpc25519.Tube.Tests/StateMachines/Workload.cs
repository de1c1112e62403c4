using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Ledger;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>A seeded random mix of KV and ledger commands from several sessions, with retries, clock skew between
/// leaders and idle periods, for determinism and snapshot tests.</summary>
internal static class Workload
{
    public static StateMachineSet NewSet(StateMachineOptions? options = null)
    {
        var set = StateMachineSet.WithKv(options);
        set.Register(BankLedger.DefaultName, new BankLedger());
        return set;
    }

    public static void Run(MachineDriver driver, int seed, int steps)
    {
        var random = new Random(seed);
        var sessions = new List<TestSession>();
        for (int i = 0; i < 4; i++)
        {
            sessions.Add(driver.OpenSession(TimeSpan.FromSeconds(20 + (i * 10))));
            var open = new LedgerCommand { Operation = LedgerOperation.OpenAccount, Account = $"acct{i}", Amount = 1000 };
            sessions[i].Send(BankLedger.DefaultName, open.ToBytes());
        }

        for (int step = 0; step < steps; step++)
        {
            driver.Advance(TimeSpan.FromMilliseconds(random.Next(0, 1500)));
            long stamp = driver.TimeMs - random.Next(0, 3) * 2_000; // some leaders' clocks lag behind
            var session = sessions[random.Next(sessions.Count)];
            byte[] key = Of("k" + random.Next(12));
            string table = random.Next(4) == 0 ? "u" : "t";
            byte[] payload = random.Next(9) switch
            {
                0 => KvCommands.Delete(table, key).ToBytes(),
                1 => KvCommands.Put(table, key, Of("v" + step), TimeSpan.FromSeconds(random.Next(1, 30))).ToBytes(),
                2 => KvCommands.CompareAndSwap(table, key, Of("c" + step), expectedVersion: random.Next(3)).ToBytes(),
                3 => KvCommands.ReleaseLease(table, key).ToBytes(),
                4 => KvCommands.Range(table, Of("k3"), null, limit: 3, descending: true).ToBytes(),
                _ => KvCommands.Put(table, key, Of("v" + step)).ToBytes(),
            };
            string machine = KvStateMachine.DefaultName;
            if (random.Next(5) == 0)
            {
                machine = BankLedger.DefaultName;
                payload = new LedgerCommand
                {
                    Operation = LedgerOperation.Transfer, Account = $"acct{random.Next(4)}",
                    ToAccount = $"acct{random.Next(4)}", Amount = random.Next(1, 400),
                }.ToBytes();
            }

            session.Send(machine, payload, stamp);
            if (random.Next(6) == 0)
            {
                session.SendSerial(machine, payload, session.LastSerial, stamp);
            }

            if (random.Next(40) == 0)
            {
                driver.Advance(TimeSpan.FromSeconds(random.Next(10, 60)));
                int reopened = random.Next(sessions.Count);
                sessions[reopened] = driver.OpenSession(TimeSpan.FromSeconds(30));
            }

            if (random.Next(25) == 0)
            {
                sessions[random.Next(sessions.Count)].KeepAlive();
            }
        }
    }
}
