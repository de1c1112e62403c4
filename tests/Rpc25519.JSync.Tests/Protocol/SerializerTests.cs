using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Tests.Protocol;

public class SerializerTests
{
    private static T RoundTrip<T>(T message) where T : JSyncMessage =>
        Assert.IsType<T>(JSyncSerializer.Deserialize(JSyncSerializer.Serialize(message)));

    [Fact]
    public void Every_message_round_trips()
    {
        ChunkHash h = ChunkHash.Of([9, 9]);
        var request = RoundTrip(new SyncRequest { InitiatorRole = SyncRole.Taker, Path = "a/b", Options = new SyncOptions { Delete = true, Excludes = ["*.o"] } });
        Assert.Equal(SyncRole.Taker, request.InitiatorRole);
        Assert.True(request.Options.Delete);
        Assert.Equal(["*.o"], request.Options.Excludes);

        var listing = RoundTrip(new TreeListing
        {
            IsLast = true,
            Entries = [new TreeEntry { Path = "x", Kind = EntryKind.Symlink, LinkTarget = "../y", MtimeNs = 1_600_000_000_123_456_789 }, new TreeEntry { Path = "f", Size = 5, Mode = 0x1A4, FileHash = h }],
        });
        Assert.Equal("../y", listing.Entries[0].LinkTarget);
        Assert.Equal(1_600_000_000_123_456_789, listing.Entries[0].MtimeNs);
        Assert.Equal(h, listing.Entries[1].FileHash);
        Assert.Null(listing.Entries[0].FileHash);

        var summary = RoundTrip(new FileSummary { Path = "p", Size = 10, Chunks = [new ChunkRecord(4, 6, h)], IsLast = true, FileHash = h });
        Assert.Equal(new ChunkRecord(4, 6, h), summary.Chunks[0]);

        var batch = RoundTrip(new FileRequestBatch { Requests = [new FileRequest { FileId = 3, Path = "q" }], IsLast = true });
        Assert.Equal(3, batch.Requests[0].FileId);

        var plan = RoundTrip(new FilePlan { FileId = 3, Steps = [PlanStep.Copy(h, 100), PlanStep.Literal(h, 7), PlanStep.Zero(1L << 40)] });
        Assert.Equal([PlanStep.Copy(h, 100), PlanStep.Literal(h, 7), PlanStep.Zero(1L << 40)], plan.Steps);

        Assert.Equal([1, 2, 3], RoundTrip(new LiteralChunk { FileId = 3, Data = [1, 2, 3] }).Data);
        Assert.Equal(h, RoundTrip(new FileEnd { FileId = 3, Size = 7, FileHash = h, Mode = 0x1ED, MtimeNs = 5 }).FileHash);
        Assert.Equal("gone", RoundTrip(new FileError { FileId = 3, Message = "gone" }).Message);
        var done = RoundTrip(new SyncComplete { Result = new SyncResult { LiteralBytes = 12, Changes = [new SyncChange { Path = "a", Action = ChangeAction.Delete }] } });
        Assert.Equal(12, done.Result.LiteralBytes);
        Assert.Equal(ChangeAction.Delete, done.Result.Changes[0].Action);
        Assert.Equal("no", RoundTrip(new SyncError { Message = "no" }).Message);
        Assert.Equal("c", RoundTrip(new ChangeList { Changes = [new SyncChange { Path = "c", Kind = EntryKind.Symlink }] }).Changes[0].Path);
    }

    [Fact]
    public void Garbage_is_a_protocol_error()
    {
        Assert.Throws<JSyncProtocolException>(() => JSyncSerializer.Deserialize(new byte[] { 0x92, 0x63, 0xC0 }));
    }
}
