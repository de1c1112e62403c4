using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Hosting;

public sealed class RaftWireCodecTests
{
    [Fact]
    public void EveryFieldSurvivesARoundTrip()
    {
        var message = new RaftMessage
        {
            Type = RaftMessageType.Append, From = 1, To = 3, Term = 7, LogIndex = 41, LogTerm = 6, Commit = 40,
            Reject = true, RejectHint = 39, Context = ulong.MaxValue - 5, LeaderTick = 1234, SentThrough = 42,
            Transfer = true, Lease = true, SnapshotIndex = 10, SnapshotTerm = 2, ChunkOffset = 4096,
            SnapshotLength = 9000, ChunkData = new byte[] { 1, 2, 3 },
            Membership = new Membership([1, 2, 3], [4], 7, 9),
            Entries = [new LogEntry(7, 42, LogEntryKind.Command, new byte[] { 9, 8 }), new LogEntry(7, 43, LogEntryKind.NoOp, ReadOnlyMemory<byte>.Empty)],
        };

        RaftMessage back = RaftWireCodec.Decode(RaftWireCodec.Encode(message));

        Assert.Equal(message with { Entries = [], Membership = null, ChunkData = default },
            back with { Entries = [], Membership = null, ChunkData = default });
        Assert.Equal([1, 2, 3], back.ChunkData.ToArray());
        Assert.Equal([1UL, 2, 3], back.Membership!.Voters);
        Assert.Equal([4UL], back.Membership.Shadows);
        Assert.Equal((7L, 9L), (back.Membership.Term, back.Membership.Version));
        Assert.Equal(2, back.Entries.Count);
        Assert.Equal((7L, 42L, LogEntryKind.Command), (back.Entries[0].Term, back.Entries[0].Index, back.Entries[0].Kind));
        Assert.Equal([9, 8], back.Entries[0].Data.ToArray());
        Assert.Equal(LogEntryKind.NoOp, back.Entries[1].Kind);
    }

    [Fact]
    public void TruncatedOrForeignBytesAreRefused()
    {
        byte[] bytes = RaftWireCodec.Encode(new RaftMessage { Type = RaftMessageType.Heartbeat, From = 1, To = 2, Term = 3 });
        Assert.ThrowsAny<Exception>(() => RaftWireCodec.Decode(bytes[..^3]));
        bytes[0] = 99;
        Assert.Throws<InvalidDataException>(() => RaftWireCodec.Decode(bytes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CorruptedMessagesAreRefusedAsInvalidData(int seed)
    {
        var random = new Random(seed);
        byte[] valid = RaftWireCodec.Encode(new RaftMessage
        {
            Type = RaftMessageType.Append, From = 1, To = 2, Term = 3, LogIndex = 4, LogTerm = 3, Commit = 4,
            ChunkData = new byte[] { 1, 2 }, Membership = new Membership([1, 2, 3], [4], 3, 5),
            Entries = [new LogEntry(3, 5, LogEntryKind.Command, new byte[] { 9 }), new LogEntry(3, 6, LogEntryKind.NoOp, default)],
        });
        for (int i = 0; i < 3_000; i++)
        {
            byte[] bytes = valid.ToArray();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(1, bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                RaftWireCodec.Decode(bytes);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                // Refused as the host expects; anything else would escape its handler.
            }
        }
    }
}
