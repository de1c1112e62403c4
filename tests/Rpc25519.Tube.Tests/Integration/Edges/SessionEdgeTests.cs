using System.Text;
using Rpc25519.Messages;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>Sessions through the whole stack: a raw caller that picks its own serials (as a client retrying after a
/// lost answer would) against the leader's <c>tube.client</c> service, and a session's end releasing its leases.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class SessionEdgeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ARetriedSerialIsAnsweredFromTheCacheAndAnOlderOneIsRefusedAsStale()
    {
        EdgeCluster.Run(seed: 61, async (cluster, client) =>
        {
            int leader = await cluster.WaitForLeaderAsync();
            RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
            options.ServerAddress = cluster.Address(leader);
            await using RpcClient raw = await RpcClient.ConnectAsync(options);
            async Task<TubeReply> SubmitAsync(TubeCommand command)
            {
                var request = new TubeRequest { Kind = TubeRequestKind.Submit, Command = command.ToBytes() };
                var message = new Message { Payload = request.ToBytes() };
                message.Header.ServiceName = TubeServiceNames.Client;
                TubeResponse response = TubeResponse.FromBytes((await raw.CallAsync(message)).Payload);
                Assert.Equal(TubeErrorCode.None, response.Error);
                return TubeReply.FromBytes(response.Reply!);
            }

            TubeCommand Put(long session, long serial, string value, long lowest = 0) => TubeCommand.ForMachine(
                TubeClient.KvMachine, session, serial, KvCommands.Put("t", B("k"), B(value)).ToBytes(), lowest);

            long session = SessionInfo.FromBytes((await SubmitAsync(TubeCommand.OpenSession())).ThrowIfError()).SessionId;
            TubeReply first = await SubmitAsync(Put(session, 1, "a"));
            TubeReply retry = await SubmitAsync(Put(session, 1, "a"));
            Assert.False(first.Duplicate);
            Assert.True(retry.Duplicate);
            Assert.Equal(first.Index, retry.Index);
            Assert.Equal(first.Payload, retry.Payload);

            await SubmitAsync(Put(session, 5, "b", lowest: 5));
            var stale = await Assert.ThrowsAsync<StaleSerialException>(async () =>
                (await SubmitAsync(Put(session, 4, "old"))).ThrowIfError());
            Assert.Equal(TubeErrorCode.StaleSerial, stale.ErrorCode);
            await Assert.ThrowsAsync<StaleSerialException>(async () =>
                (await SubmitAsync(Put(session, 1, "a"))).ThrowIfError());

            // Applied twice it would be at version 3; the refused ones changed nothing either.
            KvItem? item = await client.GetAsync("t", B("k"));
            Assert.Equal((2L, "b"), (item!.Version, Encoding.UTF8.GetString(item.Value!)));
            await Assert.ThrowsAsync<SessionExpiredException>(async () =>
                (await SubmitAsync(Put(session + 1000, 1, "x"))).ThrowIfError());
        });
    }

    [Fact]
    public void ClosingASessionReleasesItsLeasesAtOnceAndLaterWritesOpenANewOne()
    {
        EdgeCluster.Run(seed: 62, async (cluster, holder) =>
        {
            await using TubeClient other = await cluster.NewClientAsync();
            await holder.PutAsync("t", B("lock"), B("h"), TimeSpan.FromMinutes(5));
            long first = holder.SessionId;
            await Assert.ThrowsAsync<KeyLeasedException>(() => other.PutAsync("t", B("lock"), B("o")));
            await holder.CloseSessionAsync();
            Assert.Equal(0, holder.SessionId);
            Assert.Equal(2, (await other.PutAsync("t", B("lock"), B("o"))).Version);
            Assert.Equal(3, (await holder.PutAsync("t", B("lock"), B("h2"))).Version);
            Assert.NotEqual(first, holder.SessionId);
        });
    }
}
