using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public class ProtocolSafetyTests : SyncTestBase
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task An_initiator_cannot_name_a_path_outside_the_served_root()
    {
        var (a, b) = InMemoryChannel.CreatePair();
        await Assert.ThrowsAsync<PathEscapeException>(() =>
            SyncSession.InitiateAsync(a, SyncRole.Taker, Dest, "../outside", new SyncOptions()));

        await a.SendAsync(new SyncRequest { InitiatorRole = SyncRole.Taker, Path = "../outside" }, None);
        await Assert.ThrowsAsync<PathEscapeException>(() => SyncSession.RespondAsync(b, Source));
        await Assert.ThrowsAsync<JSyncRemoteException>(async () => await a.ReceiveAsync(None));
    }

    [Fact]
    public async Task A_giver_listing_that_escapes_is_refused_and_nothing_is_written()
    {
        var (a, b) = InMemoryChannel.CreatePair();
        await a.SendAsync(new SyncRequest { InitiatorRole = SyncRole.Giver }, None);
        await a.SendAsync(new TreeListing
        {
            IsLast = true,
            Entries = [new TreeEntry { Path = "", Kind = EntryKind.Directory, Mode = 0x1ED }, new TreeEntry { Path = "../evil", Size = 3 }],
        }, None);
        await Assert.ThrowsAsync<PathEscapeException>(() => SyncSession.RespondAsync(b, Dest));
        Assert.False(Directory.Exists(Dest));
        Assert.False(File.Exists(Scratch("evil")));
    }

    [Fact]
    public async Task A_symlink_in_the_destination_is_replaced_not_written_through()
    {
        string outside = Scratch("outside");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(Dest);
        Directory.CreateSymbolicLink(Path.Join(Dest, "data"), outside);
        Trees.Write(Source, "data/file.txt", [1, 2, 3]);
        await Push(Source, Dest);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.Null(new DirectoryInfo(Path.Join(Dest, "data")).LinkTarget);
        Trees.AssertSame(Source, Dest);
    }

    [Fact]
    public async Task A_root_that_is_a_symlink_is_synced_through_not_replaced()
    {
        string real = Scratch("real");
        Directory.CreateDirectory(real);
        Directory.CreateSymbolicLink(Dest, real);
        Trees.MakeSample(Source, seed: 9);
        await Push(Source, Dest);
        Assert.Equal(real, new DirectoryInfo(Dest).LinkTarget);
        Trees.AssertSame(Source, real);
    }

    [Fact]
    public async Task A_read_only_side_refuses_pushes()
    {
        Trees.Write(Source, "f", [1]);
        var (a, b) = InMemoryChannel.CreatePair();
        Task<SyncResult> initiator = SyncSession.InitiateAsync(a, SyncRole.Giver, Source, "", new SyncOptions());
        await Assert.ThrowsAsync<JSyncException>(() => SyncSession.RespondAsync(b, Dest, readOnly: true));
        var remote = await Assert.ThrowsAsync<JSyncRemoteException>(() => initiator);
        Assert.Contains("read-only", remote.Message);
        Assert.False(Directory.Exists(Dest));
    }

    [Fact]
    public async Task A_giver_sends_only_files_it_listed()
    {
        Trees.Write(Source, "public.txt", [1]);
        Trees.Write(Source, "secret.key", [2]);
        var (a, b) = InMemoryChannel.CreatePair();
        Task<SyncResult> giver = SyncSession.RespondAsync(b, Source);
        await a.SendAsync(new SyncRequest { InitiatorRole = SyncRole.Taker, Options = new SyncOptions { Excludes = ["*.key"] } }, None);
        var listing = Assert.IsType<TreeListing>(await a.ReceiveAsync(None));
        Assert.DoesNotContain(listing.Entries, e => e.Path == "secret.key");
        await a.SendAsync(new FileRequestBatch { Requests = [new FileRequest { FileId = 0, Path = "secret.key" }], IsLast = true }, None);
        var error = Assert.IsType<FileError>(await a.ReceiveAsync(None));
        Assert.Contains("not a file this side listed", error.Message);
        await a.SendAsync(new SyncComplete(), None);
        await giver;
    }

    [Fact]
    public async Task A_rebuilt_file_that_fails_verification_leaves_the_target_untouched()
    {
        string target = Trees.Write(Dest, "f", [9, 9, 9, 9]);
        (InMemoryChannel a, Task<SyncResult> taker) = await TakerAskingForOneFileAsync(mode: 0x1A4);
        byte[] data = [1, 2, 3];
        await a.SendAsync(new FilePlan { FileId = 0, Steps = [PlanStep.Literal(3)], Data = data }, None);
        await a.SendAsync(new FileEnd { FileId = 0, Size = 3, FileHash = ChunkHash.Of([4, 5, 6]), Mode = 0x1A4 }, None);
        SyncResult result = await taker;
        Assert.Single(result.Errors);
        Assert.Contains("failed verification", result.Errors[0]);
        Assert.Equal([9, 9, 9, 9], File.ReadAllBytes(target));
        Assert.Equal(["f"], Directory.GetFileSystemEntries(Dest).Select(Path.GetFileName));
        Assert.Contains(new SyncChange { Path = "f", Action = ChangeAction.Update, Kind = EntryKind.File }, Assert.IsType<ChangeList>(await a.ReceiveAsync(None)).Changes);
        Assert.IsType<SyncComplete>(await a.ReceiveAsync(None));
    }

    [Fact]
    public async Task A_rebuild_that_reused_chunks_and_fails_its_check_is_fetched_again_without_reuse()
    {
        // What a false match on a summary's short hash (or an old file changed meanwhile) looks like to the taker.
        string target = Trees.Write(Dest, "f", [9, 9, 9]);
        (InMemoryChannel a, Task<SyncResult> taker) = await TakerAskingForOneFileAsync(mode: 0x1A4);
        byte[] wanted = [4, 5, 6];
        var end = new FileEnd { FileId = 0, Size = 3, FileHash = FileHasher.HashOf(wanted), Mode = 0x1A4 };
        await a.SendAsync(new FilePlan { FileId = 0, Steps = [PlanStep.Copy(0, 0, 3)], End = end }, None);
        var retry = Assert.IsType<FileRequestBatch>(await a.ReceiveAsync(None));
        Assert.Equal([new FileRequest { FileId = 0, Path = "f", NoReuse = true }], retry.Requests);
        await a.SendAsync(new FilePlan { FileId = 0, Steps = [PlanStep.Literal(3)], Data = wanted, End = end }, None);
        Assert.IsType<ChangeList>(await a.ReceiveAsync(None));
        Assert.IsType<SyncComplete>(await a.ReceiveAsync(None));
        SyncResult result = await taker;
        Assert.Empty(result.Errors);
        Assert.Equal(wanted, File.ReadAllBytes(target));
        Assert.Equal(["f"], Directory.GetFileSystemEntries(Dest).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_plan_whose_literal_steps_and_bytes_disagree_is_a_protocol_error()
    {
        (InMemoryChannel a, Task<SyncResult> taker) = await TakerAskingForOneFileAsync(mode: 0);
        await a.SendAsync(new FilePlan { FileId = 0, Steps = [PlanStep.Literal(2)], Data = new byte[] { 1, 2, 3 } }, None);
        JSyncProtocolException error = await Assert.ThrowsAsync<JSyncProtocolException>(() => taker);
        Assert.Contains("no literal step uses", error.Message);
    }

    [Fact]
    public async Task A_plan_that_copies_a_chunk_the_taker_never_offered_is_a_protocol_error()
    {
        (InMemoryChannel a, Task<SyncResult> taker) = await TakerAskingForOneFileAsync(mode: 0);
        await a.SendAsync(new FilePlan { FileId = 0, Steps = [PlanStep.Copy(0, 0, 3)] }, None);
        await Assert.ThrowsAsync<JSyncProtocolException>(() => taker);
        Assert.False(File.Exists(Path.Join(Dest, "f")));
    }

    /// <summary>A taker of <see cref="SyncTestBase.Dest"/> that was listed one 3-byte file "f" by a hand-driven giver
    /// and has asked for it (after summarizing any old version).</summary>
    private async Task<(InMemoryChannel Giver, Task<SyncResult> Taker)> TakerAskingForOneFileAsync(int mode)
    {
        var (a, b) = InMemoryChannel.CreatePair();
        Task<SyncResult> taker = SyncSession.RespondAsync(b, Dest);
        await a.SendAsync(new SyncRequest { InitiatorRole = SyncRole.Giver }, None);
        await a.SendAsync(new TreeListing
        {
            IsLast = true,
            Entries = [new TreeEntry { Path = "", Kind = EntryKind.Directory, Mode = 0x1ED }, new TreeEntry { Path = "f", Size = 3, Mode = mode }],
        }, None);
        JSyncMessage message;
        while ((message = await a.ReceiveAsync(None)) is not FileRequestBatch)
        {
            Assert.IsType<FileSummary>(message);
        }
        return (a, taker);
    }
}
