using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.Tests.Harness;
using Xunit.Abstractions;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// Real processes, real faults. Three <c>tube</c> processes (TLS on loopback, fsync to real files) serve three
/// TubeClient workers that write unique values to three keys and read them back (ReadIndex), recording each call and
/// return on one counter. Meanwhile a nemesis, one fault at a time, kills the leader with SIGKILL and restarts it,
/// pauses a follower and then the leader with SIGSTOP for longer than an election timeout before SIGCONT, and kills
/// and restarts a random replica. Afterwards every replica runs, each key is read once more, and the history
/// (acknowledged writes, writes of unknown outcome, reads) must pass the linearizability checker: an acknowledged
/// write that was lost, or a read of a stale value, fails it. The fault phase lasts 20 s; set
/// TUBE_PROCESS_FAULT_SECONDS for a longer run (e.g. 600).
/// </summary>
[Collection(RealSocketsCollection.Name)]
public sealed class ProcessFaultTests(ITestOutputHelper log) : IDisposable
{
    private const int Keys = 3;
    private const int Workers = 3;
    private readonly LoopbackDirectory dir = new("tube-faults-");
    private readonly List<ReplicaProcess> replicas = [];
    private readonly List<Operation> history = [];
    private long clock;

    public void Dispose()
    {
        foreach (ReplicaProcess replica in replicas)
        {
            replica.Dispose();
        }

        dir.Dispose();
    }

    [Fact]
    public async Task KilledAndPausedReplicasLoseNoAcknowledgedWriteAndStayLinearizable()
    {
        TimeSpan faultPhase = TimeSpan.FromSeconds(
            int.TryParse(Environment.GetEnvironmentVariable("TUBE_PROCESS_FAULT_SECONDS"), out int seconds) ? seconds : 20);
        StartReplicas();
        await using TubeClient admin = NewClient(TimeSpan.FromSeconds(1));
        await LeaderAsync(admin, TimeSpan.FromSeconds(30));

        using var stopWorkers = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Workers).Select(_ => NewClient(TimeSpan.FromSeconds(3))).ToList();
        Task[] workers = [.. clients.Select((client, id) => Task.Run(() => WorkAsync(client, id, stopWorkers.Token)))];
        var faults = new List<string>();
        try
        {
            await NemesisAsync(admin, faultPhase, faults);
        }
        finally
        {
            await stopWorkers.CancelAsync();
            await Task.WhenAll(workers);
        }

        // Healed: every replica runs; a leader serves the final reads.
        await LeaderAsync(admin, TimeSpan.FromSeconds(30));
        await using TubeClient reader = NewClient(TimeSpan.FromSeconds(10));
        for (int key = 0; key < Keys; key++)
        {
            long call = Interlocked.Increment(ref clock);
            long value = await ReadAsync(reader, key, CancellationToken.None);
            Record(new Operation(Workers, key, IsWrite: false, value, call, Interlocked.Increment(ref clock)));
        }

        foreach (TubeClient client in clients)
        {
            await client.DisposeAsync();
        }

        int acknowledged = history.Count(o => o.IsWrite && !o.IsPending);
        int unknown = history.Count(o => o.IsWrite && o.IsPending);
        int reads = history.Count(o => !o.IsWrite);
        log.WriteLine($"faults: {string.Join(", ", faults)}; {acknowledged} acknowledged writes, {unknown} unknown, " +
            $"{reads} reads");
        Assert.True(acknowledged >= 20, $"only {acknowledged} writes were acknowledged; the cluster barely served");
        Assert.Contains(faults, f => f.StartsWith("SIGKILL leader", StringComparison.Ordinal));
        Assert.Contains(faults, f => f.StartsWith("SIGSTOP leader", StringComparison.Ordinal));
        var verdict = LinearizabilityChecker.Check(history);
        Assert.True(verdict == LinearizabilityChecker.Verdict.Linearizable, $"the history is {verdict}: " +
            string.Join("; ", replicas.Select(r => $"{r.Name}: {r.Output}")));
        AssertALostWriteWouldBeCaught();
    }

    /// <summary>The check above can fail: the same history with one final read turned into the value of an
    /// acknowledged write that an acknowledged later write replaced (as if the later one had been lost) is refused.</summary>
    private void AssertALostWriteWouldBeCaught()
    {
        // A final read of a key whose last write was acknowledged: that write must come before the read, and the
        // write it replaced before that, so reading the replaced value again is a lost write.
        var finals = history.Where(o => !o.IsWrite && o.ClientId == Workers && o.Value != 0)
            .Select(read => (Read: read,
                Last: history.Single(o => o.IsWrite && o.Key == read.Key && o.Value == read.Value)))
            .Where(pair => !pair.Last.IsPending)
            .Select(pair => (pair.Read, Replaced: history
                .Where(o => o.IsWrite && !o.IsPending && o.Key == pair.Read.Key && o.Return < pair.Last.Call)
                .MaxBy(o => o.Return)))
            .Where(pair => pair.Replaced is not null)
            .ToList();
        Assert.NotEmpty(finals); // hundreds of acknowledged writes per key
        var (final, replaced) = finals[0];
        var lost = history.Select(o => ReferenceEquals(o, final) ? o with { Value = replaced!.Value } : o).ToList();
        Assert.Equal(LinearizabilityChecker.Verdict.NotLinearizable, LinearizabilityChecker.Check(lost));
    }

    private async Task NemesisAsync(TubeClient admin, TimeSpan phase, List<string> faults)
    {
        var random = new Random(20261206);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (int round = 0; clock.Elapsed < phase; round++)
        {
            int leader = await LeaderAsync(admin, TimeSpan.FromSeconds(30));
            ReplicaProcess target;
            switch (round % 4)
            {
                case 0:
                    target = replicas[leader];
                    faults.Add($"SIGKILL leader {target.Name}");
                    target.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(1.5));
                    target.Start();
                    break;
                case 1:
                    target = replicas[(leader + 1 + random.Next(2)) % 3];
                    faults.Add($"SIGSTOP follower {target.Name}");
                    target.Pause();
                    await Task.Delay(TimeSpan.FromSeconds(1.5));
                    target.Resume();
                    break;
                case 2:
                    target = replicas[leader];
                    faults.Add($"SIGSTOP leader {target.Name}");
                    target.Pause();
                    await Task.Delay(TimeSpan.FromSeconds(1.5)); // three election timeouts: the others elect
                    target.Resume();
                    break;
                default:
                    target = replicas[random.Next(3)];
                    faults.Add($"SIGKILL {target.Name}");
                    target.Kill();
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    target.Start();
                    break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task WorkAsync(TubeClient client, int id, CancellationToken stop)
    {
        var random = new Random(id);
        long serial = 0;
        while (!stop.IsCancellationRequested)
        {
            int key = random.Next(Keys);
            long call = Interlocked.Increment(ref clock);
            if (random.Next(2) == 0)
            {
                long value = (id + 1) * 1_000_000_000L + ++serial;
                try
                {
                    await client.PutAsync("t", Key(key), Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
                    Record(new Operation(id, key, IsWrite: true, value, call, Interlocked.Increment(ref clock)));
                }
                catch (TubeException)
                {
                    // Unknown outcome: it may still be applied (once), at any time after its call.
                    Record(new Operation(id, key, IsWrite: true, value, call, long.MaxValue));
                }
            }
            else
            {
                try
                {
                    long value = await ReadAsync(client, key, CancellationToken.None);
                    Record(new Operation(id, key, IsWrite: false, value, call, Interlocked.Increment(ref clock)));
                }
                catch (TubeException)
                {
                    // A read that failed tells nothing.
                }
            }
        }
    }

    private static async Task<long> ReadAsync(TubeClient client, int key, CancellationToken cancellationToken)
    {
        try
        {
            var item = await client.GetAsync("t", Key(key), ReadMode.Linearizable, cancellationToken);
            return item is null ? 0 : long.Parse(Encoding.ASCII.GetString(item.Value!), CultureInfo.InvariantCulture);
        }
        catch (TableNotFoundException)
        {
            return 0; // nothing written yet
        }
    }

    private void Record(Operation operation)
    {
        lock (history)
        {
            history.Add(operation);
        }
    }

    /// <summary>Waits until some replica answers that it leads; returns its position.</summary>
    private async Task<int> LeaderAsync(TubeClient admin, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            for (int i = 0; i < replicas.Count; i++)
            {
                try
                {
                    TubeStatus status = await admin.GetStatusAsync(replicas[i].Address);
                    if (status.Role == RaftRole.Leader)
                    {
                        return i;
                    }
                }
                catch (TubeException)
                {
                    // Down, paused or starting: ask the next.
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no leader within {within.TotalSeconds:0} s: " +
            string.Join("; ", replicas.Select(r => $"{r.Name}: {r.Output}")));
    }

    private void StartReplicas()
    {
        string[] names = ["node_0", "node_1", "node_2"];
        var addresses = names.ToDictionary(n => n, _ => $"127.0.0.1:{LoopbackDirectory.FreePort()}");
        foreach (string name in names)
        {
            string config = dir.WriteTubeConfig("faults", name, addresses);
            var replica = new ReplicaProcess(name, config, addresses[name]);
            replicas.Add(replica);
            replica.Start();
        }
    }

    private TubeClient NewClient(TimeSpan operationTimeout) => new(new TubeClientOptions
    {
        Members = [.. replicas.Select(r => r.Address)],
        Rpc = dir.ClientRpc(),
        OperationTimeout = operationTimeout,
        AttemptTimeout = TimeSpan.FromMilliseconds(800),
    });

    private static byte[] Key(int key) => Encoding.ASCII.GetBytes("k" + key);
}
