using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Ledger;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>User state machines through the whole stack, as an outside caller probes them: names nobody
/// registered, a machine registered instead of the key/value store, and such a machine's snapshot carrying a
/// lagging replica through compaction.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class UserMachineProbeTests
{
    private static StateMachineSet LedgerOnly()
    {
        var set = new StateMachineSet();
        set.Register(BankLedger.DefaultName, new BankLedger());
        return set;
    }

    private static Task<LedgerReply> Send(TubeClient client, LedgerOperation operation, string? account = null,
        long amount = 0, string? to = null) =>
        client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
            new LedgerCommand { Operation = operation, Account = account, ToAccount = to, Amount = amount });

    private static Task<LedgerReply> Ask(TubeClient client, LedgerOperation operation, string? account = null,
        ReadMode mode = ReadMode.Linearizable) =>
        client.QueryAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
            new LedgerCommand { Operation = operation, Account = account }, mode);

    /// <summary>A command or a query for a name no replica registered is refused with
    /// <see cref="UnknownStateMachineException"/>, which lists the names that exist; the cluster goes on.</summary>
    [Fact]
    public void UnregisteredNameIsRefusedForCommandsAndQueries()
    {
        var cluster = new SimTubeCluster(seed: 61) { CreateStateMachines = SimTubeCluster.KvAndLedger };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            var command = await cluster.OnClient(() =>
                Assert.ThrowsAsync<UnknownStateMachineException>(() => client.ExecuteAsync("bank", [1, 2, 3])));
            Assert.Contains(BankLedger.DefaultName, command.Message, StringComparison.Ordinal);
            var query = await cluster.OnClient(() =>
                Assert.ThrowsAsync<UnknownStateMachineException>(() => client.QueryAsync("bank", [1])));
            Assert.Contains(TubeClient.KvMachine, query.Message, StringComparison.Ordinal);
            await cluster.OnClient(() => Send(client, LedgerOperation.OpenAccount, "alice", 10));
            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A cluster that registers only the ledger (no key/value store) serves it with sessions and
    /// linearizable reads, refuses key/value calls and watches by name, and carries a replica that missed the
    /// compacted part of the log up to the same balances through the ledger's snapshot.</summary>
    [Fact]
    public void LedgerInsteadOfKvCatchesUpALaggingReplicaThroughItsSnapshot()
    {
        var recorder = new EventRecorder();
        var cluster = new SimTubeCluster(seed: 62)
        {
            CreateStateMachines = LedgerOnly, SnapshotEveryEntries = 20, LoggerFactory = recorder,
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(async () =>
            {
                await Assert.ThrowsAsync<UnknownStateMachineException>(
                    () => client.PutAsync("t", Encoding.UTF8.GetBytes("k"), [1]));
                await Assert.ThrowsAsync<UnknownStateMachineException>(async () =>
                {
                    await foreach (ChangeEvent change in client.WatchAsync("t", Encoding.UTF8.GetBytes("k"), 1))
                    {
                        Assert.Fail($"a key/value change came from a cluster without the store: {change.Index}");
                    }
                });
                await Send(client, LedgerOperation.OpenAccount, "alice", 1_000);
                await Send(client, LedgerOperation.OpenAccount, "bob", 100);
            });

            int follower = (leader + 1) % 3;
            cluster.Crash(follower);
            for (int i = 1; i <= 60; i++)
            {
                bool even = i % 2 == 0;
                long amount = even ? (i % 7) + 1 : (i % 5) + 1;
                await cluster.OnClient(() => Send(client, LedgerOperation.Transfer, even ? "alice" : "bob", amount,
                    even ? "bob" : "alice"));
            }

            Assert.Contains(recorder.Events, e => e.Id.Id == 724); // the others compacted past what it has
            LedgerReply bob = await cluster.OnClient(() => Ask(client, LedgerOperation.Balance, "bob"));
            await cluster.RestartAsync(follower);
            await cluster.WaitForConvergenceAsync();
            Assert.Contains(recorder.Events, e => e.Id.Id == 725 && e.Message.Contains($"replica {follower + 1} ",
                StringComparison.Ordinal));

            // Asked alone, the restarted replica holds the same balances, and the ledger's invariant.
            await using TubeClient local = await cluster.NewClientAsync(members: [cluster.Address(follower)]);
            LedgerReply there = await cluster.OnClient(() => Ask(local, LedgerOperation.Balance, "bob", ReadMode.Stale));
            LedgerReply total = await cluster.OnClient(() => Ask(local, LedgerOperation.Total, mode: ReadMode.Stale));
            Assert.Equal(bob.Balance, there.Balance);
            Assert.Equal(1_100, total.Sum);
            Assert.Equal(1_100, total.Issued);
            await cluster.StopAllAsync();
        });
    }
}
