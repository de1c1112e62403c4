using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Client;

/// <summary>A three-replica cluster, candidates on nodes of their own, and the monitor.</summary>
internal sealed class CzarRun
{
    private readonly CzarCandidate[] candidates;
    private readonly CancellationTokenSource monitorStop = new();
    private Task monitor = Task.CompletedTask;

    public CzarRun(ulong seed, int candidates)
    {
        Cluster = new SimTubeCluster(seed);
        this.candidates = [.. Enumerable.Range(0, candidates)
            .Select(i => new CzarCandidate(i, Cluster.Simulation.AddNode("candidate" + i)))];
    }

    public SimTubeCluster Cluster { get; }

    /// <summary>The most candidates that called themselves czar at one sampled moment.</summary>
    public int MostAtOnce { get; private set; }

    public async Task StartAsync(Func<int, TubeCzarOptions> options)
    {
        await Cluster.StartAllAsync();
        await Cluster.WaitForLeaderAsync();
        foreach (CzarCandidate candidate in candidates)
        {
            candidate.Czar = await candidate.Node.Start(() => Task.FromResult(TubeCzar.Start(new TubeClientOptions
            {
                Members = [.. Cluster.Members.Values],
                Rpc = Cluster.Network.CreateOptions(candidate.Node),
                OperationTimeout = TimeSpan.FromSeconds(2),
                AttemptTimeout = TimeSpan.FromMilliseconds(300),
                RetryBackOff = TimeSpan.FromMilliseconds(20),
            }, options(candidate.Index))));
            candidate.Watching = candidate.Node.Start(async () =>
            {
                await foreach (TubeCzarChange change in candidate.Czar.WatchAsync())
                {
                    candidate.Changes.Add(change);
                        candidate.ChangedAt.Add(Cluster.Clock.GetUtcNow());
                }
            });
        }

        monitor = MonitorAsync(monitorStop.Token);
    }

    private async Task MonitorAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            MostAtOnce = Math.Max(MostAtOnce, candidates.Count(c => !c.Disposed && c.Czar.IsCzar));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), Cluster.Clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public IReadOnlyList<CzarCandidate> Candidates => candidates;

    public IEnumerable<CzarCandidate> Others(CzarCandidate candidate) => candidates.Where(c => c != candidate);

    /// <summary>Waits until a candidate other than <paramref name="except"/> is czar, bounded in virtual time.</summary>
    public async Task<CzarCandidate> WaitForCzarAsync(CzarCandidate? except, TimeSpan within)
    {
        DateTimeOffset end = Cluster.Clock.GetUtcNow() + within;
        while (Cluster.Clock.GetUtcNow() < end)
        {
            if (candidates.FirstOrDefault(c => c != except && !c.Disposed && c.Czar.IsCzar) is { } czar)
            {
                return czar;
            }

            await Cluster.DelayAsync(TimeSpan.FromMilliseconds(10));
        }

        throw new TimeoutException($"no czar other than {except?.Index} within {within} (seed {Cluster.Simulation.Seed})");
    }

    public async Task DisposeAsync(CzarCandidate candidate)
    {
        await candidate.Node.Start(async () => await candidate.Czar.DisposeAsync());
        candidate.Disposed = true;
        await candidate.Watching;
    }

    public async Task StopAsync()
    {
        monitorStop.Cancel();
        await monitor;
        foreach (CzarCandidate candidate in candidates.Where(c => !c.Disposed))
        {
            await DisposeAsync(candidate);
        }

        await Cluster.StopAllAsync();
    }
}
