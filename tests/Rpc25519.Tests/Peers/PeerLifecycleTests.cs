using System.Reflection;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Tests.Integration;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Peers;

/// <summary>Peer shutdown, connection loss, refused opens and stray traffic (spec §1.8, §4 scenarios
/// 405/406).</summary>
public sealed class PeerLifecycleTests
{
    private static Task WaitClosed(Circuit circuit) =>
        Task.Delay(Timeout.Infinite, circuit.Closed).ContinueWith(_ => { }).WaitAsync(Loopback.Patience);

    [Fact]
    public async Task Peer_shutdown_closes_its_circuits_and_tells_the_remote()
    {
        await using PeerHarness h = await StartAsync();
        (LocalPeer local, Circuit a) = await h.OpenFromClientAsync(Sink, "a", Echo);
        Circuit b = await a.OpenSiblingCircuitAsync("b");
        LocalPeer remote = h.Server.PeerApi.GetLocalPeers(Echo).Single();
        await Eventually(() => remote.OpenCircuitCount == 2, "two circuits at the remote");

        local.Close();
        Assert.True(local.IsClosed);
        Assert.True(a.IsClosed && b.IsClosed);
        Assert.Contains("shut down", a.CloseReason!.Message);
        await local.Completion.WaitAsync(Loopback.Patience);
        await Eventually(() => remote.OpenCircuitCount == 0, "the remote's circuits closed");
        Assert.False(remote.IsClosed);
        Assert.Empty(h.Client.PeerApi.GetLocalPeers(Sink));
    }

    [Fact]
    public async Task Await_using_a_circuit_and_a_peer_closes_both_and_waits_for_the_service_function()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer remote;
        Circuit closedCircuit;
        LocalPeer closedPeer;
        await using (LocalPeer local = await h.Client.PeerApi.StartLocalPeerAsync(Sink))
        {
            closedPeer = local;
            await using (Circuit circuit = await h.Client.PeerApi.OpenCircuitToNewPeerAsync(local, "scoped", Echo,
                h.Client.RemoteAddress))
            {
                closedCircuit = circuit;
                remote = h.Server.PeerApi.GetLocalPeers(Echo).Single();
                await Eventually(() => remote.OpenCircuitCount == 1, "the circuit at the remote");
            }
            Assert.True(closedCircuit.IsClosed);
            await Eventually(() => remote.OpenCircuitCount == 0, "the remote's end of the disposed circuit closed");
            Assert.False(local.IsClosed);
        }
        Assert.True(closedPeer.IsClosed);
        Assert.True(closedPeer.Completion.IsCompleted);
    }

    [Fact]
    public async Task Service_function_returning_closes_the_peer_and_the_start_token_cancels_it()
    {
        await using PeerHarness h = await StartAsync();
        var release = new TaskCompletionSource();
        h.Server.PeerApi.RegisterPeerService("brief", (_, _, _) => release.Task);
        LocalPeer brief = await h.Server.PeerApi.StartLocalPeerAsync("brief");
        Assert.False(brief.IsClosed);
        release.SetResult();
        await brief.Completion.WaitAsync(Loopback.Patience);
        Assert.True(brief.IsClosed);

        using var cts = new CancellationTokenSource();
        LocalPeer cancelled = await h.Server.PeerApi.StartLocalPeerAsync(Sink, "", cts.Token);
        cts.Cancel();
        Assert.True(cancelled.IsClosed);
        Assert.True(cancelled.Stopping.IsCancellationRequested);
        await cancelled.Completion.WaitAsync(Loopback.Patience);
    }

    [Fact]
    public async Task Connection_loss_closes_every_circuit_with_the_reason()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer local = await h.Server.PeerApi.StartLocalPeerAsync(Sink);
        RemotePeer remote = await h.Server.PeerApi.StartRemotePeerAsync(Sink, h.Client.LocalAddress);
        Circuit[] circuits = await Task.WhenAll(Enumerable.Range(0, 3)
            .Select(i => local.OpenCircuitAsync("c" + i, remote.PeerUrl)));
        Circuit[] clientSide = await Task.WhenAll(Enumerable.Range(0, 3)
            .Select(_ => Within(h.ClientSinkCircuits.Reader.ReadAsync().AsTask())));
        LocalPeer clientPeer = h.Client.PeerApi.GetLocalPeers(Sink).Single();
        Assert.Equal(3, clientPeer.OpenCircuitCount);

        // Cut the connection under the peers, with no goodbye from either peer layer: an abort, as a lost cable.
        var connection = (Rpc.RpcConnection)typeof(RpcClient)
            .GetField("_connection", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(h.Client)!;
        connection.Close(new RpcConnectionClosedException("cable cut"), graceful: false);
        foreach (Circuit circuit in circuits.Concat(clientSide))
        {
            await WaitClosed(circuit);
            Assert.Contains("connection lost", circuit.CloseReason!.Message);
        }
        Assert.Contains("cable cut", clientSide[0].CloseReason!.Message);
        Assert.False(local.IsClosed);
        Assert.False(clientPeer.IsClosed);
        Assert.Equal(0, local.OpenCircuitCount);
        Assert.Equal(0, clientPeer.OpenCircuitCount);
        await Assert.ThrowsAsync<RpcException>(() => local.OpenCircuitAsync("late", remote.PeerUrl));
    }

    [Fact]
    public async Task A_refused_open_fails_the_callers_call()
    {
        await using PeerHarness h = await StartAsync();
        LocalPeer local = await h.Client.PeerApi.StartLocalPeerAsync(Sink);
        PeerRejectedException noService = await Assert.ThrowsAsync<PeerRejectedException>(() =>
            h.Client.PeerApi.OpenCircuitToNewPeerAsync(local, "x", "nope", h.Client.RemoteAddress));
        Assert.Contains("'nope'", noService.Message);
        string missingPeer = PeerUrl.Format(h.Client.RemoteAddress, Echo, "no-such-peer");
        PeerRejectedException noPeer = await Assert.ThrowsAsync<PeerRejectedException>(() =>
            local.OpenCircuitAsync("x", missingPeer));
        Assert.Contains("no-such-peer", noPeer.Message);
        await Assert.ThrowsAsync<PeerRejectedException>(() =>
            h.Client.PeerApi.StartRemotePeerAsync("nope", h.Client.RemoteAddress));
        Assert.Equal(0, local.OpenCircuitCount);
        // A client reaches only its server.
        await Assert.ThrowsAsync<RpcException>(() =>
            local.OpenCircuitAsync("x", "tcp://127.0.0.1:1/echo/p"));
    }

    [Fact]
    public async Task Traffic_for_an_unknown_peer_is_dropped_and_the_connection_stays_up()
    {
        await using PeerHarness h = await StartAsync();
        h.Server.RegisterCall("ping", (_, _) => ValueTask.FromResult(new Message()));
        var stray = new Message(new MessageHeader { CallType = CallType.PeerTraffic, ToPeerId = "ghost", CallId = "ckt" });
        await h.Client.SendAsync(stray);
        var strayEnd = new Message(new MessageHeader { CallType = WireCallType.PeerEndCircuit, ToPeerId = "ghost", CallId = "ckt" });
        await h.Client.SendAsync(strayEnd);
        Message reply = await h.Client.CallAsync(Loopback.Request("ping"));
        Assert.Equal(CallType.Reply, reply.Header.CallType);
        Assert.True(h.Client.IsConnected);
        Assert.False(h.Client.Incoming.TryRead(out _));
    }

    [Fact]
    public async Task Stopping_the_host_closes_its_peers_and_their_remote_circuits()
    {
        await using PeerHarness h = await StartAsync();
        (LocalPeer local, Circuit circuit) = await h.OpenFromClientAsync(Sink, "a", Echo);
        LocalPeer serverEcho = h.Server.PeerApi.GetLocalPeers(Echo).Single();
        await h.Server.DisposeAsync();
        Assert.True(serverEcho.IsClosed);
        await WaitClosed(circuit);
        Assert.False(local.IsClosed);
    }
}
