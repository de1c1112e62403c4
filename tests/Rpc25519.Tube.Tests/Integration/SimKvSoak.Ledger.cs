using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Ledger;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// The soak's user state machine: the bank ledger, registered beside the key/value store on every replica and
/// called by name through its own client under the same nemesis. Money enters only through the accounts opened
/// before the faults start, so the ledger's invariant is that the balances always sum to exactly that. Transfers of
/// one unit from "bank" to "sink" are counted: the sink must end between the acknowledged ones and the acknowledged
/// plus the unknown ones, which a transfer applied twice (or lost after its acknowledgement) breaks. Transfers of
/// random amounts between "a" and "b" add refusals (insufficient funds) to the mix.
/// </summary>
internal static partial class SimKvSoak
{
    private const int LedgerOps = 24;

    private static readonly (string Account, long Amount)[] LedgerAccounts =
        [("bank", 1_000_000), ("sink", 0), ("a", 100), ("b", 100)];

    private static StateMachineSet KvAndLedger(StateMachineOptions options)
    {
        var set = StateMachineSet.WithKv(options);
        set.Register(BankLedger.DefaultName, new BankLedger());
        return set;
    }

    private sealed partial class Run
    {
        private int sinkAcked;
        private int sinkUnknown;

        /// <summary>Acknowledged ledger transfers (the counted ones and the random ones that went through).</summary>
        public int LedgerTransfers { get; private set; }

        /// <summary>Transfers the ledger refused for insufficient funds.</summary>
        public int LedgerRefusals { get; private set; }

        public string? LedgerFailure { get; private set; }

        /// <summary>Opens the accounts while the cluster is healthy (a retry of an open that went through is refused
        /// as "exists", which is as good).</summary>
        private async Task OpenLedgerAsync(TubeClient client)
        {
            foreach ((string account, long amount) in LedgerAccounts)
            {
                try
                {
                    await Ledger(client, LedgerOperation.OpenAccount, account, amount);
                }
                catch (CommandRejectedException)
                {
                    // Already open: an earlier attempt went through.
                }
            }
        }

        private async Task LedgerWorkerAsync(TubeClient client, Random rng)
        {
            for (int i = 0; i < LedgerOps; i++)
            {
                await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(rng.Next(20, 150)));
                bool counted = rng.Next(100) < 60;
                try
                {
                    if (counted)
                    {
                        await Ledger(client, LedgerOperation.Transfer, "bank", 1, "sink");
                        sinkAcked++;
                    }
                    else
                    {
                        bool aToB = rng.Next(2) == 0;
                        await Ledger(client, LedgerOperation.Transfer, aToB ? "a" : "b", rng.Next(1, 150),
                            aToB ? "b" : "a");
                    }

                    LedgerTransfers++;
                }
                catch (CommandRejectedException)
                {
                    LedgerRefusals++; // insufficient funds: a replicated refusal, nothing moved
                }
                catch (TubeException e) when (IsUnavailable(e))
                {
                    sinkUnknown += counted ? 1 : 0;
                }
            }
        }

        /// <summary>After convergence: the sum of the balances is the money issued, and the sink holds every
        /// acknowledged counted transfer, once.</summary>
        private async Task CheckLedgerAsync(TubeClient client)
        {
            long issued = LedgerAccounts.Sum(a => a.Amount);
            LedgerReply total = await cluster.OnClient(() => Ledger(client, LedgerOperation.Total, null, 0, query: true));
            if (total.Sum != issued || total.Issued != issued)
            {
                LedgerFailure = $"the ledger's balances sum to {total.Sum} and it issued {total.Issued}, but " +
                    $"{issued} was issued by the opens: money was created or destroyed";
                return;
            }

            LedgerReply sink = await cluster.OnClient(() => Ledger(client, LedgerOperation.Balance, "sink", 0,
                query: true));
            if (sink.Balance < sinkAcked || sink.Balance > sinkAcked + sinkUnknown)
            {
                LedgerFailure = $"the ledger's sink holds {sink.Balance}, but {sinkAcked} transfers into it were " +
                    $"acknowledged and {sinkUnknown} had unknown outcome: a transfer was lost or applied twice";
            }
        }

        private static Task<LedgerReply> Ledger(TubeClient client, LedgerOperation operation, string? account,
            long amount, string? to = null, bool query = false)
        {
            var command = new LedgerCommand { Operation = operation, Account = account, ToAccount = to, Amount = amount };
            return query
                ? client.QueryAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName, command)
                : client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName, command);
        }
    }
}
