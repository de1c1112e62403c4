using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Ledger;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>What a TubeClient caller sees through the whole stack on SimNet: typed errors, read modes, user
/// machines called by name.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeClientErrorTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void KvRefusalsArriveAsTypedExceptions()
    {
        var cluster = new SimTubeCluster(seed: 11);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient a = await cluster.NewClientAsync();
            await using TubeClient b = await cluster.NewClientAsync();
            KvItem first = await cluster.OnClient(() => a.PutAsync("t", B("k"), B("v1")));

            var mismatch = await cluster.OnClient(() => Assert.ThrowsAsync<CasMismatchException>(
                () => a.CompareAndSwapAsync("t", B("k"), B("v2"), expectedVersion: first.Version + 1)));
            Assert.Equal(first.Version, mismatch.Current!.Version);

            KvItem leased = await cluster.OnClient(() => a.PutAsync("t", B("lock"), B("a"), TimeSpan.FromSeconds(30)));
            Assert.True(leased.FencingToken > 0);
            await cluster.OnClient(() => Assert.ThrowsAsync<KeyLeasedException>(
                () => b.PutAsync("t", B("lock"), B("b"))));

            await cluster.OnClient(() => Assert.ThrowsAsync<ValueTooLargeException>(
                () => a.PutAsync("t", B("big"), new byte[(1024 * 1024) + 1])));
            await cluster.OnClient(() => Assert.ThrowsAsync<TableNotFoundException>(
                () => a.GetAsync("missing", B("k"))));

            KvResult scan = await cluster.OnClient(() => a.PrefixScanAsync("t", B("l")));
            Assert.Equal("lock", Encoding.UTF8.GetString(Assert.Single(scan.Items!).Key));
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void IdleSessionExpiresByLogTime()
    {
        var cluster = new SimTubeCluster(seed: 12);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync(sessionTimeout: TimeSpan.FromSeconds(1));
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            // The leader's idle ticks move log time on; the session ends after 1 s without a command.
            await cluster.DelayAsync(TimeSpan.FromSeconds(3));
            await cluster.OnClient(() => Assert.ThrowsAsync<SessionExpiredException>(
                () => client.PutAsync("t", B("k"), B("again"))));
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void AutomaticKeepAlivesKeepAnIdleSessionOpen()
    {
        var cluster = new SimTubeCluster(seed: 15);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            TubeClient client = await cluster.NewClientAsync(sessionTimeout: TimeSpan.FromSeconds(1),
                keepAliveInterval: TimeSpan.FromMilliseconds(300));
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            long session = client.SessionId;
            await cluster.DelayAsync(TimeSpan.FromSeconds(3));
            KvItem item = await cluster.OnClient(() => client.PutAsync("t", B("k"), B("again")));
            Assert.Equal(2, item.Version);
            Assert.Equal(session, client.SessionId);
            await cluster.OnClient(async () => await client.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void StaleReadOnACutOffFollowerServesItsOwnStateAndReadIndexCatchesUp()
    {
        var cluster = new SimTubeCluster(seed: 13);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int follower = (leader + 1) % 3;
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("old")));
            await cluster.WaitForConvergenceAsync();
            // The leader's messages to the follower vanish: the follower stops learning new entries.
            var cut = cluster.Network.FaultCircuit(cluster.Nodes[leader], cluster.Nodes[follower],
                new SimNet.DropDeafSpec(1.0, null));
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("new")));

            // A client pinned to the follower: the stale read is answered at once from what it has applied; after
            // the fault heals, a linearizable read there waits for the read index and sees the new value.
            await using TubeClient pinned = new(new TubeClientOptions
            {
                Members = [cluster.Members[(ulong)follower + 1]],
                Rpc = cluster.Network.CreateOptions(cluster.ClientNode),
            });
            KvItem? stale = await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Stale));
            Assert.Equal("old", Encoding.UTF8.GetString(stale!.Value!));
            cut.Undo();
            KvItem? fresh = await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Linearizable));
            Assert.Equal("new", Encoding.UTF8.GetString(fresh!.Value!));
            Assert.Equal(follower + 1, (int)(await cluster.OnClient(() => pinned.GetStatusAsync())).NodeId);
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void UserMachineIsCalledByNameWithTypedCommands()
    {
        var cluster = new SimTubeCluster(seed: 14)
        {
            CreateStateMachines = SimTubeCluster.KvAndLedger,
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(async () =>
            {
                await client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                    new LedgerCommand { Operation = LedgerOperation.OpenAccount, Account = "alice", Amount = 100 });
                await client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                    new LedgerCommand { Operation = LedgerOperation.OpenAccount, Account = "bob", Amount = 0 });
                await client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                    new LedgerCommand { Operation = LedgerOperation.Transfer, Account = "alice", ToAccount = "bob", Amount = 30 });
                await Assert.ThrowsAsync<CommandRejectedException>(() =>
                    client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                        new LedgerCommand { Operation = LedgerOperation.Transfer, Account = "bob", ToAccount = "alice", Amount = 31 }));
                LedgerReply bob = await client.QueryAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                    new LedgerCommand { Operation = LedgerOperation.Balance, Account = "bob" });
                Assert.Equal(30, bob.Balance);
                LedgerReply total = await client.QueryAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                    new LedgerCommand { Operation = LedgerOperation.Total });
                Assert.Equal(100, total.Sum);
                Assert.Equal(100, total.Issued);
            });
            await cluster.WaitForConvergenceAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void AMachineThatThrowsAnswersWithAFaultAndEveryReplicaKeepsServing()
    {
        var cluster = new SimTubeCluster(seed: 16)
        {
            CreateStateMachines = () =>
            {
                var set = StateMachineSet.WithKv();
                set.Register(Tests.StateMachines.FaultyMachine.Name, new Tests.StateMachines.FaultyMachine());
                return set;
            },
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(async () =>
            {
                var fault = await Assert.ThrowsAsync<StateMachineFaultException>(
                    () => client.ExecuteAsync(Tests.StateMachines.FaultyMachine.Name, [0xFF]));
                Assert.Contains("InvalidOperationException", fault.Message);
                Assert.Equal(2, BitConverter.ToInt64(
                    await client.ExecuteAsync(Tests.StateMachines.FaultyMachine.Name, [1])));
                await Assert.ThrowsAsync<StateMachineFaultException>(
                    () => client.QueryAsync(Tests.StateMachines.FaultyMachine.Name, [0xFF]));
                await client.PutAsync("t", B("k"), B("v"));
            });
            await cluster.WaitForConvergenceAsync();
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                Assert.True(cluster.IsRunning(i));
                Assert.False(cluster.Replica(i)!.Completion.IsCompleted, $"replica {i} stopped");
            }

            await cluster.StopAllAsync();
        });
    }
}
