using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Tests.Integration.Floods;

/// <summary>A client opens sessions until the cluster's MaxSessions: the next is refused with a typed error naming
/// the limit, another client's open session goes on working, and the sessions that expire free their slots.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class SessionFloodTests
{
    private const int SessionsMax = 8;

    [Fact]
    public void OpeningSessionsUpToTheLimitRefusesTheNextAndExpiryFreesSlots()
    {
        var cluster = new SimTubeCluster(36)
        {
            CreateStateMachines = () => StateMachineSet.WithKv(new StateMachineOptions { MaxSessions = SessionsMax }),
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient bystander = await cluster.NewClientAsync(keepAliveInterval: TimeSpan.FromMilliseconds(300));
            await using TubeClient opener = await cluster.NewClientAsync();
            await cluster.OnClient(() => bystander.PutAsync("t", [1], [1]));

            SessionLimitException refused = await cluster.OnClient(async () =>
            {
                for (int i = 0; i < SessionsMax * 2; i++)
                {
                    try
                    {
                        await opener.OpenOwnerSessionAsync(TimeSpan.FromSeconds(1));
                    }
                    catch (SessionLimitException e)
                    {
                        Assert.Equal(SessionsMax - 1, i);
                        return e;
                    }
                }

                throw new InvalidOperationException("no session was refused");
            });
            Assert.Contains("MaxSessions", refused.Message);
            await cluster.OnClient(() => bystander.PutAsync("t", [1], [2]));

            // The owner sessions get no keep-alives and expire by log time; the bystander's keeps its slot.
            await cluster.DelayAsync(TimeSpan.FromSeconds(3));
            await cluster.OnClient(() => opener.OpenOwnerSessionAsync(TimeSpan.FromSeconds(1)));
            await cluster.OnClient(() => bystander.PutAsync("t", [1], [3]));
            await cluster.StopAllAsync();
        });
    }
}
