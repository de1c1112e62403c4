using Rpc25519.Peers;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Peers;

/// <summary>Many circuits between two peers, service limits and "prefer extant" (spec §4 scenarios 408–410).</summary>
public sealed class ManyCircuitsAndLimitsTests
{
    [Fact]
    public async Task Ten_circuits_each_way_close_independently()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer clientPeer = await h.Client.PeerApi.StartLocalPeerAsync(Sink);
        Circuit first = await h.Client.PeerApi.OpenCircuitToSinglePeerAsync(clientPeer, "c0", Sink,
            h.Client.RemoteAddress);
        LocalPeer serverPeer = h.Server.PeerApi.GetLocalPeers(Sink).Single();
        var up = new List<Circuit> { first };
        for (int i = 1; i < 10; i++)
        {
            up.Add(await up[^1].OpenSiblingCircuitAsync("c" + i, Frag("n" + i)));
        }
        var down = new List<Circuit>();
        for (int i = 0; i < 10; i++)
        {
            down.Add(await serverPeer.OpenCircuitAsync("d" + i, PeerUrl.Format(h.Client.LocalAddress, Sink,
                clientPeer.PeerId), Frag("m" + i)));
        }
        Circuit[] upRemote = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask())));
        Circuit[] downRemote = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Within(h.ClientSinkCircuits.Reader.ReadAsync().AsTask())));
        Assert.Equal(up.Select(c => c.Name), upRemote.Select(c => c.Name));
        Assert.Equal(20, clientPeer.OpenCircuitCount);
        Assert.Equal(20, serverPeer.OpenCircuitCount);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => "n" + i),
            await Task.WhenAll(upRemote.Skip(1).Select(async c => Text(await ReadAsync(c.Reads)))));

        // Close 9 of each direction, alternately from the opener's and the acceptor's side.
        for (int i = 0; i < 9; i++)
        {
            await (i % 2 == 0 ? up[i] : upRemote[i]).CloseAsync();
            await (i % 2 == 0 ? downRemote[i] : down[i]).CloseAsync();
        }
        await Eventually(() => clientPeer.OpenCircuitCount == 2 && serverPeer.OpenCircuitCount == 2,
            "two circuits left on each side");
        Assert.All(up.Take(9).Concat(upRemote.Take(9)).Concat(down.Take(9)).Concat(downRemote.Take(9)),
            c => Assert.True(c.IsClosed));
        await up[9].SendAsync(Frag("still"));
        Assert.Equal("still", Text(await ReadAsync(upRemote[9].Reads)));
        await downRemote[9].SendAsync(Frag("too"));
        Assert.Equal("too", Text(await ReadAsync(down[9].Reads)));
    }

    [Fact]
    public async Task Service_limits_hold_locally_and_remotely_and_prefer_extant_reuses_the_instance()
    {
        await using PeerHarness h = await StartAsync(c =>
        {
            c.Peers.ServiceLimits[Echo] = 1;
            c.Peers.ServiceLimits[Sink] = 1;
        });
        LocalPeer clientSink = await h.Client.PeerApi.StartLocalPeerAsync(Sink);
        PeerServiceLimitException local = await Assert.ThrowsAsync<PeerServiceLimitException>(
            () => h.Client.PeerApi.StartLocalPeerAsync(Sink));
        Assert.Contains("already at RpcOptions.Peers.ServiceLimits", local.Message);
        Assert.Equal(clientSink.Url, local.ExistingPeerUrl);
        Assert.Single(h.Client.PeerApi.GetLocalPeers(Sink));

        Circuit started = await h.Client.PeerApi.OpenCircuitToNewPeerAsync(clientSink, "s", Echo,
            h.Client.RemoteAddress);
        LocalPeer serverEcho = h.Server.PeerApi.GetLocalPeers(Echo).Single();
        Assert.Equal(serverEcho.PeerId, started.RemotePeerId);
        Circuit reused = await h.Client.PeerApi.OpenCircuitToSinglePeerAsync(clientSink, "p", Echo,
            h.Client.RemoteAddress, Frag("ping"));
        Assert.Equal(serverEcho.PeerId, reused.RemotePeerId);
        Assert.Equal("ping", Text(await ReadAsync(reused.Reads)));

        PeerServiceLimitException remote = await Assert.ThrowsAsync<PeerServiceLimitException>(() =>
            h.Client.PeerApi.OpenCircuitToNewPeerAsync(clientSink, "over", Echo, h.Client.RemoteAddress));
        Assert.Equal(serverEcho.Url, remote.ExistingPeerUrl);
        Assert.Equal([serverEcho.PeerId], remote.ExistingPeerIds);
        Assert.Single(h.Server.PeerApi.GetLocalPeers(Echo));
        // The rejection names an instance the caller can use.
        Circuit viaUrl = await clientSink.OpenCircuitAsync("u", remote.ExistingPeerUrl, Frag("hi"));
        Assert.Equal("hi", Text(await ReadAsync(viaUrl.Reads)));

        // Server -> client prefer-extant reaches the client's one Sink.
        LocalPeer serverSink = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        Circuit back = await h.Server.PeerApi.OpenCircuitToSinglePeerAsync(serverSink, "b", Sink,
            h.Client.LocalAddress);
        Assert.Equal(clientSink.PeerId, back.RemotePeerId);
    }

    [Fact]
    public async Task Prefer_extant_with_more_than_one_instance_is_a_clear_refusal()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer a = await h.Server.PeerApi.StartLocalPeerAsync(Echo);
        LocalPeer b = await h.Server.PeerApi.StartLocalPeerAsync(Echo);
        LocalPeer local = await h.Client.PeerApi.StartLocalPeerAsync(Sink);
        PeerRejectedException refused = await Assert.ThrowsAsync<PeerRejectedException>(() =>
            h.Client.PeerApi.OpenCircuitToSinglePeerAsync(local, "p", Echo, h.Client.RemoteAddress));
        Assert.Contains("at most one", refused.Message);
        Assert.Contains(a.PeerId, refused.Message);
        Assert.Contains(b.PeerId, refused.Message);
        Assert.Equal(0, local.OpenCircuitCount);
    }

    [Fact]
    public void A_negative_service_limit_is_refused_at_construction()
    {
        var config = Integration.Loopback.ServerConfig(c => c.Peers.ServiceLimits["a"] = -1);
        ArgumentException error = Assert.Throws<ArgumentException>(() => new RpcServer(config));
        Assert.Contains("ServiceLimits[\"a\"]", error.Message);
    }

    [Fact]
    public async Task A_full_new_circuit_queue_refuses_the_open_and_an_oversized_fragment_is_refused_before_sending()
    {
        await using PeerHarness h = await StartAsync(c =>
        {
            c.Peers.NewCircuitQueueCapacity = 1;
            c.MaxFrameBytes = 64 * 1024;
        });
        // A service that never takes its new circuits.
        h.Server.PeerApi.RegisterPeerService("deaf", (_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        (LocalPeer local, Circuit first) = await h.OpenFromClientAsync(Sink, "one", "deaf");
        PeerRejectedException full = await Assert.ThrowsAsync<PeerRejectedException>(
            () => first.OpenSiblingCircuitAsync("two"));
        Assert.Contains("NewCircuitQueueCapacity", full.Message);
        Assert.Equal(1, local.OpenCircuitCount);

        ArgumentException tooBig = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await first.SendAsync(new Fragment { Payload = new byte[64 * 1024] }));
        Assert.Contains("MaxFrameBytes", tooBig.Message);
        Assert.False(first.IsClosed);
    }
}
