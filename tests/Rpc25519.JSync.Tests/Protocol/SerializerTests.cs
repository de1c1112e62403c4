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
        Assert.True(request.Options.Durable); // the default, also for a peer that does not send the field
        Assert.False(RoundTrip(new SyncRequest { Path = "a", Options = new SyncOptions { Durable = false } }).Options.Durable);

        var listing = RoundTrip(new TreeListing
        {
            IsLast = true,
            Entries = [new TreeEntry { Path = "x", Kind = EntryKind.Symlink, LinkTarget = "../y", MtimeNs = 1_600_000_000_123_456_789 }, new TreeEntry { Path = "f", Size = 5, Mode = 0x1A4, FileHash = h },
                new TreeEntry { Path = "fé/été", Kind = EntryKind.Directory, Mode = 0x1ED, MtimeNs = -1_500_000_001 }, new TreeEntry { Path = "fé/été/z", Size = 1L << 40, Mode = 0x1ED, MtimeNs = 1_700_000_000_000_000_000 }],
        });
        Assert.Equal(4, listing.Entries.Length);
        Assert.Equal(new TreeEntry { Path = "fé/été", Kind = EntryKind.Directory, Mode = 0x1ED, MtimeNs = -1_500_000_001 }, listing.Entries[2]);
        Assert.Equal(new TreeEntry { Path = "fé/été/z", Size = 1L << 40, Mode = 0x1ED, MtimeNs = 1_700_000_000_000_000_000 }, listing.Entries[3]);
        Assert.True(listing.IsLast);
        Assert.Equal("../y", listing.Entries[0].LinkTarget);
        Assert.Equal(1_600_000_000_123_456_789, listing.Entries[0].MtimeNs);
        Assert.Equal(h, listing.Entries[1].FileHash);
        Assert.Null(listing.Entries[0].FileHash);

        // A summary carries the first 8 bytes of each chunk hash: what the giver's index compares.
        var summary = RoundTrip(new FileSummary { Path = "p", Size = 30, Chunks = [new ChunkRecord(4, 6, h), new ChunkRecord(20, 10, h)], IsLast = true });
        Assert.Equal([new ChunkRecord(4, 6, ChunkHash.FromPrefix(h.Prefix)), new ChunkRecord(20, 10, ChunkHash.FromPrefix(h.Prefix))], summary.Chunks);
        Assert.Equal(30, summary.Size);
        Assert.True(summary.IsLast);

        var batch = RoundTrip(new FileRequestBatch { Requests = [new FileRequest { FileId = 3, Path = "dir/q" }, new FileRequest { FileId = 1, Path = "dir/r", NoReuse = true }], IsLast = true });
        Assert.Equal([new FileRequest { FileId = 3, Path = "dir/q" }, new FileRequest { FileId = 1, Path = "dir/r", NoReuse = true }], batch.Requests);

        PlanStep[] steps = [PlanStep.Copy(2, 100, 1L << 33), PlanStep.Literal(3), PlanStep.Zero(1L << 40), PlanStep.Copy(PlanStep.FileSource(7), 5, 9), PlanStep.Copy(0, 0, 1)];
        var plan = RoundTrip(new FilePlan { FileId = 3, Steps = steps, Data = new byte[] { 1, 2, 3 }, End = new FileEnd { FileId = 3, Size = 7, FileHash = h } });
        Assert.Equal(steps, plan.Steps);
        Assert.Equal([1, 2, 3], plan.Data.ToArray());
        Assert.Equal(h, plan.End!.FileHash);
        Assert.Null(RoundTrip(new FilePlan { FileId = 1 }).End);

        Assert.Equal(h, RoundTrip(new FileEnd { FileId = 3, Size = 7, FileHash = h, Mode = 0x1ED, MtimeNs = 5 }).FileHash);
        Assert.Equal("gone", RoundTrip(new FileError { FileId = 3, Message = "gone" }).Message);
        var done = RoundTrip(new SyncComplete { Result = new SyncResult { LiteralBytes = 12, Changes = [new SyncChange { Path = "a", Action = ChangeAction.Delete }] } });
        Assert.Equal(12, done.Result.LiteralBytes);
        Assert.Equal(ChangeAction.Delete, done.Result.Changes[0].Action);
        Assert.Equal("no", RoundTrip(new SyncError { Message = "no" }).Message);
        SyncChange[] changes = [new SyncChange { Path = "a/c", Kind = EntryKind.Symlink }, new SyncChange { Path = "a/d", Action = ChangeAction.Replace, Kind = EntryKind.Directory }];
        Assert.Equal(changes, RoundTrip(new ChangeList { Changes = changes }).Changes);
    }

    [Fact]
    public void A_listing_entry_costs_its_name_plus_a_few_bytes()
    {
        TreeEntry[] entries = [.. Enumerable.Range(0, 1000).Select(i => new TreeEntry
        {
            Path = $"text/p{i / 400:D2}/d{i / 20 % 20:D2}/f{i:D5}.txt", Size = 1000 + i, Mode = 0x1A4,
            MtimeNs = 1_700_000_000_000_000_000 + (i * 1_000_000_000L),
        })];
        int bytes = JSyncSerializer.Serialize(new TreeListing { Entries = entries, IsLast = true }).Length;
        Assert.InRange(bytes, 1000 * 10, 1000 * 16); // "f00001.txt" is 10 bytes; about 5 more each
    }

    [Theory]
    [InlineData(new byte[] { 0x92, 0xC4, 0x02, 0x05, 0x00, 0xC3 })] // listing: 5 entries in a 1-byte body
    [InlineData(new byte[] { 0x92, 0xC4, 0x03, 0x01, 0x07, 0x00, 0xC3 })] // listing: unknown flags
    [InlineData(new byte[] { 0x92, 0xC4, 0x06, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0xC3 })] // listing: shares 5 bytes of nothing
    public void A_malformed_packed_listing_is_a_protocol_error(byte[] listing)
    {
        byte[] message = [0x92, 0x01, .. listing]; // union [tag 1 = TreeListing, body]
        Assert.Throws<JSyncProtocolException>(() => JSyncSerializer.Deserialize(message));
    }

    [Fact]
    public void Garbage_is_a_protocol_error()
    {
        Assert.Throws<JSyncProtocolException>(() => JSyncSerializer.Deserialize(new byte[] { 0x92, 0x63, 0xC0 }));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(200, true)]     // bin8
    [InlineData(4096, false)]   // bin16, the smallest plan the direct path takes
    [InlineData(65_536, true)]  // bin32, a whole plain block
    [InlineData(65_536, false)]
    public void A_plan_encoded_directly_has_the_general_encoders_bytes(int dataBytes, bool withEnd)
    {
        byte[] data = new byte[dataBytes];
        new Random(dataBytes).NextBytes(data);
        var plan = new FilePlan
        {
            FileId = 70_000,
            Steps = dataBytes == 0 ? [PlanStep.Copy(3, 1 << 20, 500)] : [PlanStep.Zero(9), PlanStep.Literal(dataBytes), PlanStep.Copy(-2, 0, 7)],
            Data = data,
            End = withEnd ? new FileEnd { FileId = 70_000, Size = dataBytes + 516, FileHash = ChunkHash.Of(data), Mode = 0x1A4, MtimeNs = 1_700_000_000_123_456_789 } : null,
        };
        byte[] general = MessagePack.MessagePackSerializer.Serialize<JSyncMessage>(plan, JSyncSerializer.Options);
        byte[] direct = FilePlanFormatter.SerializeMessage(plan, JSyncSerializer.Options);
        Assert.Equal(general, direct);
        Assert.Equal(general, JSyncSerializer.Serialize(plan)); // whichever path the serializer picks for this size
        var back = Assert.IsType<FilePlan>(JSyncSerializer.Deserialize(direct));
        Assert.Equal(data, back.Data.ToArray());
        Assert.Equal(plan.Steps, back.Steps);
        Assert.Equal(withEnd, back.End is not null);
        Assert.Equal(plan.End?.MtimeNs, back.End?.MtimeNs);
    }
}
