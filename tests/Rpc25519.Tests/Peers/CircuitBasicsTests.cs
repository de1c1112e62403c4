using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Tests.Integration;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Peers;

/// <summary>Spec §4 scenarios 400–408: URLs, starting peers, opening circuits, echo both ways, closing.</summary>
public sealed class CircuitBasicsTests
{
    [Fact]
    public void Peer_urls_split_into_address_service_peer_and_circuit()
    {
        PeerUrl url = PeerUrl.Parse("tcp://10.1.2.3:5023/serviceName/peerID/circuitID");
        Assert.Equal(new PeerUrl("tcp://10.1.2.3:5023", "serviceName", "peerID", "circuitID"), url);
        Assert.Equal(new PeerUrl("tcp://10.1.2.3:5023", "svc", "p", ""), PeerUrl.Parse("10.1.2.3:5023/svc/p"));
        Assert.Throws<ArgumentException>(() => PeerUrl.Parse("tcp://10.1.2.3:5023"));
        Assert.Throws<ArgumentException>(() => PeerUrl.Parse("tcp://h:1/a/b/c/d"));
        Assert.True(PeerUrl.SamePort("tcp://0.0.0.0:5023", "tcp://127.0.0.1:5023"));
        Assert.False(PeerUrl.SamePort("tcp://127.0.0.1:5024", "tcp://127.0.0.1:5023"));
    }

    [Fact]
    public async Task A_local_peer_has_a_tcp_url_with_the_real_port_and_a_seeded_id()
    {
        await using PeerHarness h = await StartAsync(c => c.Random = new Random(7));
        LocalPeer peer = await h.Server.PeerApi.StartLocalPeerAsync(Sink, "first");
        Assert.StartsWith(h.Server.LocalAddress + "/sink/", peer.Url);
        Assert.DoesNotContain(":0/", peer.Url);
        Assert.Equal(peer.Url, PeerUrl.Format(h.Server.LocalAddress, Sink, peer.PeerId));
        Assert.Equal("first", peer.PeerName);
        Assert.Single(h.Server.PeerApi.GetLocalPeers(Sink));
        // The first ID drawn from a Random(7): the IDs follow the injected seed.
        Span<byte> expected = stackalloc byte[21];
        new Random(7).NextBytes(expected);
        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(expected), peer.PeerId);
    }

    [Fact]
    public async Task Server_starts_a_peer_on_the_client_and_echoes_over_a_circuit_opened_by_url()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer local = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        RemotePeer remote = await h.Server.PeerApi.StartRemotePeerAsync(Echo, h.Client.LocalAddress);
        Assert.Equal(h.Client.PeerApi.GetLocalPeers(Echo).Single().PeerId, remote.PeerId);
        Assert.Equal(h.Client.PeerApi.GetLocalPeers(Echo).Single().Url, remote.PeerUrl);

        Circuit circuit = await local.OpenCircuitAsync("talk", remote.PeerUrl, Frag("hello", "one"));
        Assert.Equal(remote.PeerId, circuit.RemotePeerId);
        Fragment back = await ReadAsync(circuit.Reads);
        Assert.Equal("hello", Text(back));
        Assert.Equal("re:one", back.Subject);
        Assert.Equal(remote.PeerId, back.FromPeerId);
        Assert.Equal(local.PeerId, back.ToPeerId);
        Assert.Equal(circuit.CircuitId, back.CircuitId);
        Assert.Equal(CallType.PeerTraffic, back.CallType);

        await circuit.SendAsync(Frag("again"));
        Assert.Equal("again", Text(await ReadAsync(circuit.Reads)));
    }

    [Fact]
    public async Task The_same_service_code_serves_both_directions()
    {
        await using PeerHarness h = await StartAsync();
        // Client -> server.
        (LocalPeer clientPeer, Circuit up) = await h.OpenFromClientAsync(Sink, "up", Echo, Frag("to server"));
        Assert.Equal("to server", Text(await ReadAsync(up.Reads)));
        Assert.Equal(h.Server.PeerApi.GetLocalPeers(Echo).Single().PeerId, up.RemotePeerId);
        // Server -> client.
        LocalPeer serverPeer = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        Circuit down = await h.Server.PeerApi.OpenCircuitToNewPeerAsync(serverPeer, "down", Echo,
            h.Client.LocalAddress, Frag("to client"));
        Assert.Equal("to client", Text(await ReadAsync(down.Reads)));
        Assert.Equal(h.Client.PeerApi.GetLocalPeers(Echo).Single().PeerId, down.RemotePeerId);
    }

    [Fact]
    public async Task First_fragment_arrives_first_and_the_circuit_name_is_seen_remotely()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer local = await h.Client.PeerApi.StartLocalPeerAsync(Echo);
        LocalPeer remote = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        string url = PeerUrl.Format(h.Client.RemoteAddress, Sink, remote.PeerId);

        Circuit mine = await local.OpenCircuitAsync("named", url, Frag("first"));
        await mine.SendAsync(Frag("second"));
        Circuit theirs = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        Assert.Equal("named", theirs.Name);
        Assert.Equal(mine.CircuitId, theirs.CircuitId);
        Assert.Equal(local.PeerId, theirs.RemotePeerId);
        Fragment first = await ReadAsync(theirs.Reads);
        Assert.Equal("first", Text(first));
        Assert.Equal(WireCallType.PeerStartCircuit, first.CallType);
        Assert.Equal("second", Text(await ReadAsync(theirs.Reads)));
        Assert.Equal(1, remote.OpenCircuitCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Closing_one_side_closes_the_other_and_leaves_both_peers_running(bool openerCloses)
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer local = await h.Client.PeerApi.StartLocalPeerAsync(Echo);
        LocalPeer remote = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        Circuit mine = await local.OpenCircuitAsync("c", PeerUrl.Format(h.Client.RemoteAddress, Sink,
            remote.PeerId));
        Circuit theirs = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        (Circuit closer, Circuit other) = openerCloses ? (mine, theirs) : (theirs, mine);

        await closer.CloseAsync("done here");
        Assert.True(closer.IsClosed);
        await Task.Delay(Timeout.Infinite, other.Closed).ContinueWith(_ => { }).WaitAsync(Loopback.Patience);
        Assert.Contains("closed by remote: done here", other.CloseReason!.Message);
        await Assert.ThrowsAsync<CircuitClosedException>(async () => await other.SendAsync(Frag("late")));
        Assert.False(local.IsClosed);
        Assert.False(remote.IsClosed);
        Assert.Equal(0, local.OpenCircuitCount);
        Assert.Equal(0, remote.OpenCircuitCount);
        // Both peers still work: a new circuit opens.
        Circuit again = await local.OpenCircuitAsync("c2", PeerUrl.Format(h.Client.RemoteAddress, Sink,
            remote.PeerId), Frag("x"));
        Assert.False(again.IsClosed);
    }

    [Fact]
    public async Task Errors_arrive_on_Errors_not_Reads()
    {
        await using PeerHarness h = await StartAsync();
        (LocalPeer local, Circuit circuit) = await h.OpenFromClientAsync(Sink, "e", Echo);
        await circuit.SendAsync(new Fragment { Error = "boom" });
        await circuit.SendAsync(Frag("fine"));
        Fragment error = await ReadAsync(circuit.Errors);
        Assert.Equal("re:boom", error.Error);
        Assert.Equal(CallType.PeerError, error.CallType);
        Fragment data = await ReadAsync(circuit.Reads);
        Assert.Equal("fine", Text(data));
        Assert.False(circuit.Reads.TryRead(out _));
    }

    [Fact]
    public async Task Reserved_arg_keys_are_refused_on_send_and_user_args_travel()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer local = await h.Client.PeerApi.StartLocalPeerAsync(Echo);
        LocalPeer remote = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        var first = Frag("a");
        first.Args["#mine"] = "no";
        string url = PeerUrl.Format(h.Client.RemoteAddress, Sink, remote.PeerId);
        await Assert.ThrowsAsync<ArgumentException>(() => local.OpenCircuitAsync("c", url, first));
        var ok = Frag("b");
        ok.Args["color"] = "blue";
        ok.Operation = 42;
        ok.Part = 7;
        await local.OpenCircuitAsync("c", url, ok);
        Circuit theirs = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        Fragment got = await ReadAsync(theirs.Reads);
        Assert.Equal("blue", got.Args["color"]);
        Assert.Equal(42, got.Operation);
        Assert.Equal(7, got.Part);
    }
}
