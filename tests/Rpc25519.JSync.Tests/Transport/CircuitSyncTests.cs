using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;
using Rpc25519.JSync.Transport;
using Rpc25519.Peers;

namespace Rpc25519.JSync.Tests.Transport;

/// <summary>jsync over a real TLS connection on loopback: <see cref="JSyncService"/> on a server,
/// <see cref="JSyncClient"/> on a client, <see cref="CircuitChannel"/> between them.</summary>
public sealed class CircuitSyncTests : TransportTestBase
{
    public CircuitSyncTests(JSyncCerts certs) : base(certs)
    {
    }

    private Task<JSyncHost> Host(bool readOnly = false) => JSyncHost.StartAsync(Certs.CertsDir, ServerRoot, readOnly);

    private static async Task<RemoteSyncResult> Push(JSyncHost host, string local, string remote,
        SyncOptions? options = null) =>
        await JSyncClient.RunAsync(await host.ConnectAsync(), SyncRole.Giver, local, remote,
            options ?? new SyncOptions());

    [Fact]
    public async Task Push_then_pull_round_trips_a_tree()
    {
        Trees.MakeSample(Source, seed: 1);
        await using JSyncHost host = await Host();

        RemoteSyncResult pushed = await Push(host, Source, "data");
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));
        Assert.Empty(pushed.Result.Errors);
        Assert.True(pushed.BytesSent > pushed.Result.TreeBytes / 2, "a full copy sends the literal bytes");

        string back = Temp("back");
        RemoteSyncResult pulled = await JSyncClient.RunAsync(await host.ConnectAsync(), SyncRole.Taker, back, "data",
            new SyncOptions());
        Trees.AssertSame(Source, back);
        Assert.True(pulled.BytesReceived > pulled.BytesSent, "a pull receives the data");
    }

    [Fact]
    public async Task An_edit_and_a_directory_rename_resync_sends_little()
    {
        Trees.MakeSample(Source, seed: 2);
        await using JSyncHost host = await Host();
        RemoteSyncResult first = await Push(host, Source, "data");

        // Edit 100 bytes in the middle of the large file and rename a directory.
        string big = Path.Join(Source, "big.bin");
        byte[] bytes = File.ReadAllBytes(big);
        Trees.RandomBytes(100, 99).CopyTo(bytes, 300_000);
        File.WriteAllBytes(big, bytes);
        Directory.Move(Path.Join(Source, "dir0"), Path.Join(Source, "dir0-renamed"));

        RemoteSyncResult second = await Push(host, Source, "data", new SyncOptions { Delete = true });
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));
        Assert.True(second.WireBytes * 10 < first.WireBytes,
            $"re-sync moved {second.WireBytes} bytes, the first copy {first.WireBytes}");
        Assert.True(second.Result.LiteralBytes < 64 * 1024, $"literal bytes {second.Result.LiteralBytes}");
        Assert.True(second.SpeedUp > 10, $"speed-up {second.SpeedUp:F1}");
    }

    [Fact]
    public async Task Delete_only_with_the_option()
    {
        Trees.MakeSample(Source, seed: 3);
        await using JSyncHost host = await Host();
        await Push(host, Source, "data");
        File.Delete(Path.Join(Source, "dir1/sub0/file0.dat"));
        string remoteCopy = Path.Join(ServerRoot, "data/dir1/sub0/file0.dat");

        await Push(host, Source, "data");
        Assert.True(File.Exists(remoteCopy), "without --delete the server keeps what the source lost");

        RemoteSyncResult deleting = await Push(host, Source, "data", new SyncOptions { Delete = true });
        Assert.False(File.Exists(remoteCopy));
        Assert.Contains(deleting.Result.Changes, c => c.Action == ChangeAction.Delete && c.Path == "dir1/sub0/file0.dat");
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));
    }

    [Fact]
    public async Task A_dry_run_reports_changes_and_writes_nothing()
    {
        Trees.MakeSample(Source, seed: 4);
        await using JSyncHost host = await Host();
        await Push(host, Source, "data");
        Trees.Write(Source, "new/file.txt", Trees.RandomBytes(5000, 5));
        File.Delete(Path.Join(Source, "empty.txt"));
        File.WriteAllBytes(Path.Join(Source, "big.bin"), Trees.RandomBytes(10_000, 6));
        string before = Trees.Snapshot(ServerRoot);

        RemoteSyncResult dry = await Push(host, Source, "data", new SyncOptions { DryRun = true, Delete = true });

        Assert.True(dry.Result.DryRun);
        Assert.Contains(dry.Result.Changes, c => c.Path == "new/file.txt");
        Assert.Contains(dry.Result.Changes, c => c.Path == "empty.txt" && c.Action == ChangeAction.Delete);
        Assert.Equal(before, Trees.Snapshot(ServerRoot));
    }

    [Fact]
    public async Task A_path_escape_is_refused_by_the_server()
    {
        await using JSyncHost host = await Host();
        RpcClient client = await host.ConnectAsync();
        Task<(SyncResult? Result, Exception? Error)> serverEnd = host.NextSyncEnd();

        // The client helper refuses it before sending ...
        await Assert.ThrowsAsync<PathEscapeException>(() =>
            JSyncClient.RunAsync(client, SyncRole.Giver, Source, "../outside", new SyncOptions()));

        // ... and a hand-made request that bypasses it is refused by the server, with the reason.
        client.PeerApi.RegisterPeerService("raw", async (_, circuits, ct) =>
        {
            await foreach (Circuit unused in circuits.ReadAllAsync(CancellationToken.None))
            {
            }
        });
        await using LocalPeer peer = await client.PeerApi.StartLocalPeerAsync("raw");
        Circuit circuit = await client.PeerApi.OpenCircuitToNewPeerAsync(peer, "escape", JSyncService.ServiceName,
            client.RemoteAddress);
        await using var channel = new CircuitChannel(circuit);
        await channel.SendAsync(new SyncRequest
        {
            InitiatorRole = SyncRole.Giver, Path = "../outside", Options = new SyncOptions(),
        }, CancellationToken.None);
        JSyncRemoteException refused = await Assert.ThrowsAsync<JSyncRemoteException>(
            async () => await channel.ReceiveAsync(CancellationToken.None));
        Assert.Contains("..", refused.RemoteMessage, StringComparison.Ordinal);

        (_, Exception? error) = await serverEnd;
        Assert.IsType<PathEscapeException>(error);
        Assert.False(Path.Exists(Temp("outside")));
    }

    [Fact]
    public async Task A_read_only_server_refuses_a_push_and_serves_a_pull()
    {
        Trees.Write(ServerRoot, "data/kept.txt", Trees.RandomBytes(3000, 7));
        Trees.MakeSample(Source, seed: 8);
        await using JSyncHost host = await Host(readOnly: true);
        string before = Trees.Snapshot(ServerRoot);

        JSyncRemoteException refused = await Assert.ThrowsAsync<JSyncRemoteException>(() =>
            Push(host, Source, "data"));
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Trees.Snapshot(ServerRoot));

        string pulled = Temp("pulled");
        await JSyncClient.RunAsync(await host.ConnectAsync(), SyncRole.Taker, pulled, "data", new SyncOptions());
        Trees.AssertSame(Path.Join(ServerRoot, "data"), pulled);
    }

    [Fact]
    public async Task A_connection_cut_mid_transfer_fails_clearly_leaves_no_half_written_target_and_resumes()
    {
        Trees.Write(Source, "large.bin", Trees.RandomBytes(12 * 1024 * 1024, 9));
        Trees.Write(ServerRoot, "data/large.bin", Trees.RandomBytes(4096, 10));
        byte[] old = File.ReadAllBytes(Path.Join(ServerRoot, "data/large.bin"));
        await using JSyncHost host = await Host();
        await using var proxy = new CuttingProxy(host.Address, cutAfterUpBytes: 3 * 1024 * 1024);
        Task<(SyncResult? Result, Exception? Error)> serverEnd = host.NextSyncEnd();

        RpcClient client = await host.ConnectAsync(proxy.Address);
        JSyncException failure = await Assert.ThrowsAsync<JSyncConnectionLostException>(() =>
            JSyncClient.RunAsync(client, SyncRole.Giver, Source, "data", new SyncOptions()));
        Assert.Contains("run the same sync again", failure.Message, StringComparison.Ordinal);
        Assert.True(proxy.Cut.IsCompleted, "the proxy cut the connection");

        (_, Exception? serverError) = await serverEnd;
        Assert.IsType<JSyncConnectionLostException>(serverError);
        Assert.Equal(old, File.ReadAllBytes(Path.Join(ServerRoot, "data/large.bin")));

        // What arrived before the cut is kept in the server's partial file. How much that is depends on how much of
        // the 3 MiB through the proxy was still in buffers when it cut (under a loaded CI run once just under 2 MiB),
        // so the resume is checked against the partial file itself.
        string[] partials = Directory.GetFiles(Path.Join(ServerRoot, "data"), ".large.bin.*.jsync-part");
        long kept = new FileInfo(Assert.Single(partials)).Length;
        Assert.True(kept > 64 * 1024, $"the server kept what arrived before the cut ({kept} bytes)");

        // The next run, on a sound connection, finishes the job and resumes: the partial file's chunks are reused,
        // not sent again (all but its last chunk, which the cut may have left incomplete: at most 64 KiB).
        RemoteSyncResult resumed = await Push(host, Source, "data");
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));
        Assert.True(resumed.Result.CopiedBytes >= kept - 64 * 1024,
            $"reused {resumed.Result.CopiedBytes} bytes of the {kept} kept");
        Assert.True(resumed.Result.LiteralBytes <= 12 * 1024 * 1024 - (kept - 64 * 1024),
            $"resent {resumed.Result.LiteralBytes} bytes with {kept} kept");
    }

    [Fact]
    public async Task Cancellation_stops_a_sync()
    {
        Trees.Write(Source, "large.bin", Trees.RandomBytes(8 * 1024 * 1024, 11));
        await using JSyncHost host = await Host();
        RpcClient client = await host.ConnectAsync();
        using var cancel = new CancellationTokenSource();
        Task<(SyncResult? Result, Exception? Error)> serverEnd = host.NextSyncEnd();
        Task<RemoteSyncResult> run = JSyncClient.RunAsync(client, SyncRole.Giver, Source, "data", new SyncOptions(),
            channel => cancel.Cancel(), cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        (_, Exception? serverError) = await serverEnd;
        Assert.IsType<JSyncConnectionLostException>(serverError);
        Assert.False(File.Exists(Path.Join(ServerRoot, "data/large.bin")));
    }

    [Fact]
    public async Task Two_clients_sync_at_once_on_their_own_circuits()
    {
        string other = Temp("other");
        Trees.MakeSample(Source, seed: 12);
        Trees.MakeSample(other, seed: 13);
        await using JSyncHost host = await Host();

        await Task.WhenAll(Push(host, Source, "a"), Push(host, other, "b"));

        Trees.AssertSame(Source, Path.Join(ServerRoot, "a"));
        Trees.AssertSame(other, Path.Join(ServerRoot, "b"));
    }

    [Fact]
    public async Task A_send_waits_for_credit_and_fails_typed_when_the_circuit_closes()
    {
        await using JSyncHost host = await Host();
        RpcClient client = await host.ConnectAsync();
        // A peer that takes the circuit and never reads it: the sender runs out of credit.
        var accepted = new TaskCompletionSource<Circuit>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.PeerApi.RegisterPeerService("opener", async (_, circuits, ct) =>
        {
            await foreach (Circuit unused in circuits.ReadAllAsync(CancellationToken.None))
            {
            }
        });
        host.ServerPeers.RegisterPeerService("sink", async (_, circuits, ct) =>
        {
            accepted.TrySetResult(await circuits.ReadAsync(ct));
            await foreach (Circuit unused in circuits.ReadAllAsync(CancellationToken.None))
            {
            }
        });
        await using LocalPeer peer = await client.PeerApi.StartLocalPeerAsync("opener");
        Circuit circuit = await client.PeerApi.OpenCircuitToNewPeerAsync(peer, "fill", "sink", client.RemoteAddress);
        await using var channel = new CircuitChannel(circuit);
        Circuit serverSide = await accepted.Task;

        Task pending = Task.CompletedTask;
        int sent = 0;
        while (pending.IsCompleted)
        {
            await pending;
            Assert.True(sent < 1000, "the sends never waited for credit");
            pending = channel.SendAsync(new FilePlan { FileId = 1, Steps = [PlanStep.Literal(64 * 1024)], Data = new byte[64 * 1024] },
                CancellationToken.None).AsTask();
            sent++;
        }
        // About a window (4 MiB) went out before a send had to wait.
        Assert.InRange(sent, 40, 100);

        await serverSide.CloseAsync("the receiver went away");
        JSyncConnectionLostException lost = await Assert.ThrowsAsync<JSyncConnectionLostException>(() => pending);
        Assert.Contains("the receiver went away", lost.Reason, StringComparison.Ordinal);
    }
}
