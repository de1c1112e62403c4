using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Client;

/// <summary>
/// Follows a czar role's key in the log (a watch from index 1 on the client node) so that a test can check the
/// candidates' tenures against the writes the cluster actually applied, not against anyone's clock.
/// </summary>
internal sealed class CzarLogWatch
{
    private readonly SimTubeCluster cluster;
    private readonly CancellationTokenSource stop = new();
    private TubeClient client = null!;
    private Task watching = Task.CompletedTask;

    private CzarLogWatch(SimTubeCluster cluster) => this.cluster = cluster;

    /// <summary>The applied writes of the role's key, in log order: (index, writer's candidate value).</summary>
    public List<(long Index, string Writer)> Puts { get; } = [];

    public static async Task<CzarLogWatch> StartAsync(SimTubeCluster cluster, string table, string role)
    {
        var watch = new CzarLogWatch(cluster);
        watch.client = await cluster.NewClientAsync();
        watch.watching = cluster.OnClient(async () =>
        {
            try
            {
                await foreach (ChangeEvent change in watch.client.WatchAsync(table, Encoding.UTF8.GetBytes(role), 1,
                                   cancellationToken: watch.stop.Token))
                {
                    if (change.Kind == ChangeKind.Put)
                    {
                        watch.Puts.Add((change.Index, Encoding.UTF8.GetString(change.Value!)));
                    }
                }
            }
            catch (OperationCanceledException) when (watch.stop.IsCancellationRequested)
            {
            }
        });
        return watch;
    }

    /// <summary>Waits until the log shows a write at <paramref name="index"/> or later, then stops.</summary>
    public async Task StopAfterAsync(long index)
    {
        for (int i = 0; i < 500 && (Puts.Count == 0 || Puts[^1].Index < index); i++)
        {
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(10));
        }

        stop.Cancel();
        await watching;
        await cluster.OnClient(async () => await client.DisposeAsync());
    }

    /// <summary>
    /// Checks each candidate's tenures against the log: every tenure a candidate reported starts at a write of its
    /// own value whose index is the tenure's fencing token, and every change of writer in the log is such a tenure
    /// (a grant), so two tenures never share a stretch of the log. Tokens grow in the order the tenures began.
    /// </summary>
    public void AssertTenuresMatchTheLog(IEnumerable<CzarCandidate> candidates, Func<CzarCandidate, string> value)
    {
        var elected = candidates
            .SelectMany(c => c.Changes.Select((change, i) => (Candidate: c, Change: change, At: c.ChangedAt[i])))
            .Where(e => e.Change.IsCzar)
            .OrderBy(e => e.At)
            .ToList();
        Assert.NotEmpty(elected);
        var tokens = elected.Select(e => e.Change.FencingToken).ToList();
        Assert.Equal(tokens.Distinct().Order(), tokens);
        var byIndex = Puts.ToDictionary(p => p.Index, p => p.Writer);
        foreach (var e in elected)
        {
            Assert.True(byIndex.TryGetValue(e.Change.FencingToken, out string? writer),
                $"tenure {e.Change.FencingToken} of {value(e.Candidate)} is not a write of the role in the log");
            Assert.Equal(value(e.Candidate), writer);
        }

        var grants = elected.Select(e => e.Change.FencingToken).ToHashSet();
        for (int i = 0; i < Puts.Count; i++)
        {
            if (i == 0 || Puts[i].Writer != Puts[i - 1].Writer)
            {
                Assert.True(grants.Contains(Puts[i].Index),
                    $"{Puts[i].Writer} took the role at {Puts[i].Index} without reporting a tenure");
            }
        }
    }
}
