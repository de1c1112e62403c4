using System.Text;
using Rpc25519.Tools;
using Rpc25519.Tools.Tube;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Tools;

/// <summary>The forced rescue of tuberm and tubeadd (<c>-f</c>), run in-process through the tools' shared code
/// against three <c>tube</c> commands: after two of three replicas are gone for good, a plain tuberm finds no leader
/// and exits 1, while <c>tuberm -f</c> of both leaves the survivor the only voter; it elects itself and serves the
/// data it holds. <c>tubeadd -f</c> then forces a member back in.</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class ClientToolTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly LoopbackDirectory dir = new("tube-clitool-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task ForcedRemovalRescuesAClusterThatLostTwoOfThree()
    {
        string[] names = ["node_0", "node_1", "node_2"];
        var addresses = names.ToDictionary(n => n, _ => $"127.0.0.1:{LoopbackDirectory.FreePort()}");
        string[] configs = [.. names.Select(n => dir.WriteTubeConfig("rescue", n, addresses))];
        var stops = new List<CancellationTokenSource>();
        var runs = new List<Task<int>>();
        var started = new List<TubeReplica>();
        try
        {
            foreach (string config in configs)
            {
                var stop = new CancellationTokenSource();
                var ready = new TaskCompletionSource<TubeReplica>(TaskCreationOptions.RunContinuationsAsynchronously);
                stops.Add(stop);
                runs.Add(TubeCommand.RunAsync(["-config", config], new StringWriter(), new StringWriter(),
                    r => ready.TrySetResult(r), stop.Token));
                started.Add(await ready.Task.WaitAsync(Patience));
            }

            await WaitAsync(async () =>
            {
                foreach (TubeReplica replica in started)
                {
                    if ((await replica.GetStatusAsync()).Role == Raft.RaftRole.Leader)
                    {
                        return true;
                    }
                }

                return false;
            });
            (int code, string output, string errors) = await Tool("tubels");
            Assert.True(code == 0, output + errors);
            Assert.Contains("leader node_", output);
            await using var client = new TubeClient(new TubeClientOptions
            {
                Members = [.. addresses.Values], Rpc = dir.ClientRpc(), OperationTimeout = Patience,
            });
            await client.PutAsync("t", B("k"), B("saved"));
            await WaitAsync(async () => (await started[0].GetStatusAsync()).AppliedIndex
                >= (await started[1].GetStatusAsync()).CommitIndex);

            // node_1 and node_2 are gone for good: no quorum, no leader.
            for (int i = 1; i < 3; i++)
            {
                await stops[i].CancelAsync();
                Assert.Equal(0, await runs[i].WaitAsync(Patience));
            }

            (code, _, errors) = await Tool("tuberm", "node_1", "-timeout", "2s");
            Assert.Equal(1, code); // no leader, or a leader that cannot commit the change: it fails within -timeout
            Assert.StartsWith("tuberm: error: ", errors);
            (code, _, errors) = await Tool("tuberm", "-h");
            Assert.Equal(0, code);

            (code, output, errors) = await Tool("tuberm", "node_1", "-f", "-timeout", "2s");
            Assert.True(code == 0, errors);
            Assert.Contains("WARNING: forcing the membership on node_0", errors);
            Assert.Contains("forced on node_0: voters ", output);
            Assert.Contains("only 1 of the 2 voters answer", output);
            (code, output, errors) = await Tool("tuberm", "node_2", "-f", "-timeout", "2s");
            Assert.True(code == 0, errors);
            Assert.Contains("forced on node_0: voters node_0; shadows none", output);
            Assert.Contains("leader: node_0", output);

            await using var survivor = new TubeClient(new TubeClientOptions
            {
                Members = [addresses["node_0"]], Rpc = dir.ClientRpc(), OperationTimeout = Patience,
            });
            Assert.Equal("saved", Encoding.UTF8.GetString((await survivor.GetAsync("t", B("k")))!.Value!));

            // tubeadd -f puts node_1 back in the survivor's membership (no leader needed for the change itself).
            (code, output, errors) = await Tool("tubeadd", "node_1", "-shadow", "-f", "-timeout", "2s");
            Assert.True(code == 0, errors);
            Assert.Contains("shadows node_1", output);
        }
        finally
        {
            foreach (CancellationTokenSource stop in stops)
            {
                await stop.CancelAsync();
            }

            await Task.WhenAll(runs).WaitAsync(Patience);
            stops.ForEach(s => s.Dispose());
        }

        async Task<(int, string, string)> Tool(string tool, params string[] args)
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            string[] full = [.. args, "-config", configs[0]];
            int code = tool switch
            {
                "tubels" => await StatusCommand.RunAsync(full, output, errors, CancellationToken.None),
                _ => await MembershipCommand.RunAsync(tool, tool == "tubeadd", full, output, errors,
                    CancellationToken.None),
            };
            return (code, output.ToString(), errors.ToString());
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
}
