using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>An authenticated client that sends the replicas' client service garbage: random bytes, and requests of
/// every kind (bar the membership rescues, which a client may legitimately use to break its cluster) with random and
/// extreme fields. Each request may fail, but only that request: every replica keeps running and serving.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class HostileRequestTests
{
    private const int RequestsPerReplica = 120;

    private static readonly TubeRequestKind[] Kinds =
        [TubeRequestKind.Submit, TubeRequestKind.Read, TubeRequestKind.Status, TubeRequestKind.Watch, TubeRequestKind.AwaitReply,
        (TubeRequestKind)99];

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void HostileRequestsFailAloneAndEveryReplicaKeepsServing(ulong seed)
    {
        var cluster = new SimTubeCluster(seed);
        var random = new Random((int)seed);
        var commands = new Tests.StateMachines.HostileCommands(random);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            int answered = 0;
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
                options.ServerAddress = cluster.Address(i);
                answered += await cluster.OnClient(async () =>
                {
                    await using RpcClient raw = await RpcClient.ConnectAsync(options);
                    int replies = 0;
                    for (int n = 0; n < RequestsPerReplica; n++)
                    {
                        var message = new Message { Payload = NextRequest(random, commands) };
                        message.Header.ServiceName = TubeServiceNames.Client;
                        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300),
                            cluster.ClientNode.TimeProvider);
                        try
                        {
                            await raw.CallAsync(message, deadline.Token);
                            replies++;
                        }
                        catch (Exception e) when (e is RpcException or OperationCanceledException)
                        {
                            // Refused or timed out: this request alone.
                        }
                    }

                    return replies;
                });
            }

            Assert.True(answered > RequestsPerReplica, $"only {answered} requests were answered at all");
            await cluster.AssertServesAsync();
            await cluster.WaitForConvergenceAsync();
            await cluster.StopAllAsync();
        });
    }

    private static byte[] NextRequest(Random random, Tests.StateMachines.HostileCommands commands)
    {
        if (random.Next(5) == 0)
        {
            var bytes = new byte[random.Next(64)];
            random.NextBytes(bytes);
            return bytes;
        }

        (string machine, byte[] query) = commands.NextQuery();
        long[] numbers = [long.MinValue, -1, 0, 1, 1_000, long.MaxValue];
        return new TubeRequest
        {
            Kind = Kinds[random.Next(Kinds.Length)],
            Command = random.Next(4) == 0 ? null : commands.NextCommand(),
            Machine = random.Next(4) == 0 ? null : machine,
            Query = random.Next(4) == 0 ? null : query,
            ReadMode = (ReadMode)random.Next(-1, 4),
            Table = random.Next(3) == 0 ? null : "t",
            Key = random.Next(3) == 0 ? null : [(byte)random.Next(256)],
            Prefix = random.Next(2) == 0,
            FromIndex = numbers[random.Next(numbers.Length)],
            WaitMs = numbers[random.Next(numbers.Length)],
            SessionId = numbers[random.Next(numbers.Length)],
            Serial = numbers[random.Next(numbers.Length)],
            FollowerWaits = random.Next(2) == 0,
        }.ToBytes();
    }
}
