using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Tests.Integration.Floods;

/// <summary>One connection sends the leader a thousand bad requests in a row (random bytes, unknown kinds,
/// membership changes and rescues that are refused). Each fails alone: another client is served meanwhile, the
/// replica keeps nothing for any of them (no held request, no address-book entry), and its redirects still name the
/// real members.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class GarbageFloodTests
{
    private const int BadRequests = 1000;

    [Fact]
    public void AThousandBadRequestsInARowLeaveNothingBehindAndOthersAreServed()
    {
        var cluster = new SimTubeCluster(33);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            TubeReplica replica = cluster.Replica(leader)!;
            SortedDictionary<ulong, string> bookBefore = await replica.GetAddressBookAsync();
            ulong follower = cluster.Ids[(leader + 1) % 3];
            await using TubeClient bystander = await cluster.NewClientAsync();

            Task<int> bystanderPuts = cluster.OnClient(async () =>
            {
                int done = 0;
                for (; done < 20; done++)
                {
                    await bystander.PutAsync("t", [(byte)done], [1]);
                }

                return done;
            });
            int refused = await cluster.OnClient(async () =>
            {
                await using RawFlood flood = await RawFlood.ConnectAsync(cluster, leader);
                var random = new Random(33);
                int count = 0;
                for (int i = 0; i < BadRequests; i++)
                {
                    FloodOutcome outcome = await flood.Send([BadRequest(i, follower, random)], TimeSpan.FromSeconds(1))[0];
                    // Random bytes may happen to decode as a harmless request (a status, say); the others must fail.
                    count += i % 5 == 0 || outcome.Failure is not null || outcome.Error != TubeErrorCode.None ? 1 : 0;
                }

                return count;
            });

            Assert.Equal(BadRequests, refused);
            Assert.Equal(20, await bystanderPuts);
            Assert.Equal(0, (await replica.GetHeldRequestsAsync()).Total);
            Assert.Equal(bookBefore, await replica.GetAddressBookAsync());
            TubeStatus status = await replica.GetStatusAsync();
            Assert.Equal(RaftRole.Leader, status.Role);
            Assert.Equal(cluster.Members.Values, status.MemberAddresses!.Select(a => a ?? "(none)"));
            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>The <paramref name="i"/>th bad request: each kind in turn, every one refused.</summary>
    private static byte[] BadRequest(int i, ulong follower, Random random)
    {
        var garbage = new byte[1 + random.Next(64)];
        random.NextBytes(garbage);
        ulong stranger = 1_000 + (ulong)i;
        return (i % 5) switch
        {
            0 => garbage,
            1 => new TubeRequest { Kind = (TubeRequestKind)(99 + i) }.ToBytes(),
            // Removing a shadow that is not one: refused, and must not leave the stranger's address behind.
            2 => new TubeRequest
            {
                Kind = TubeRequestKind.ChangeMembership, MembershipChange = MembershipChangeKind.RemoveShadow,
                NodeId = stranger, Address = $"stranger{i}:1",
            }.ToBytes(),
            // Adding a voter that already is one, at another address: refused, and must not move the follower.
            3 => new TubeRequest
            {
                Kind = TubeRequestKind.ChangeMembership, MembershipChange = MembershipChangeKind.AddVoter,
                NodeId = follower, Address = $"elsewhere{i}:1",
            }.ToBytes(),
            // A forced membership without voters: refused before anything changes.
            _ => new TubeRequest
            {
                Kind = TubeRequestKind.ForceMembership, NodeId = stranger, Address = $"stranger{i}:1", Voters = [],
            }.ToBytes(),
        };
    }
}
