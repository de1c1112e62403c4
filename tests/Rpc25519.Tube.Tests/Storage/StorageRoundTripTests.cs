using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>What goes in comes back out after a close and reopen: entries, conflicts, hard state with the
/// configuration, snapshots, across segment rotations, on the simulated disk and on real files.</summary>
public sealed class StorageRoundTripTests
{
    [Fact]
    public async Task EntriesHardStateAndMembershipSurviveReopen()
    {
        var disk = NewDisk(1);
        var membership = new Membership([1, 2, 3], [9], term: 4, version: 7);
        await using (var storage = Open(disk))
        {
            Assert.Empty(storage.Recovered.Entries);
            storage.Append(Entries(1, 10));
            storage.SaveState(new HardState(4, 2, 8), membership);
            await storage.FlushAsync();
        }

        await using var reopened = Open(disk);
        AssertEntries(Entries(1, 10), reopened.Recovered.Entries);
        Assert.Equal(new HardState(4, 2, 8), reopened.Recovered.HardState);
        Assert.True(reopened.Recovered.Membership.HasSameStamp(membership));
        Assert.Equal(membership.Voters, reopened.Recovered.Membership.Voters);
        Assert.Equal(membership.Shadows, reopened.Recovered.Membership.Shadows);
        Assert.Null(reopened.Recovered.Snapshot);
    }

    [Fact]
    public async Task AConflictingAppendReplacesTheStoredSuffix()
    {
        var disk = NewDisk(2);
        await using (var storage = Open(disk))
        {
            storage.Append(Entries(1, 10, term: 1));
            storage.Append(Entries(6, 8, term: 2));
            Assert.Equal(8, storage.LastIndex);
            storage.SaveState(new HardState(2, 0, 5), null);
            storage.SaveState(null, new Membership([1], [], 2, 1));
            await storage.FlushAsync();
            Assert.Throws<ArgumentException>(() => storage.Append(Entries(10, 11)));
        }

        await using var reopened = Open(disk);
        AssertEntries(Entries(1, 5, term: 1).Concat(Entries(6, 8, term: 2)), reopened.Recovered.Entries);
        Assert.Equal(new HardState(2, 0, 5), reopened.Recovered.HardState);
        Assert.Equal(1, reopened.Recovered.Membership.Version);
    }

    [Fact]
    public async Task SegmentsRotateAtTheSizeLimitAndReplayInOrder()
    {
        var disk = NewDisk(3);
        await using (var storage = Open(disk, segmentBytesMax: 4096))
        {
            for (long i = 1; i <= 300; i++)
            {
                storage.Append([Entry(i)]);
                if (i % 7 == 0)
                {
                    await storage.FlushAsync();
                }
            }

            await storage.FlushAsync();
        }

        Assert.True(Segments(disk).Count >= 5, $"expected rotation, saw {Segments(disk).Count} segments");
        await using var reopened = Open(disk, segmentBytesMax: 4096);
        AssertEntries(Entries(1, 300), reopened.Recovered.Entries);
    }

    [Fact]
    public async Task ASnapshotAndTheEntriesAfterItSurviveReopen()
    {
        var disk = NewDisk(4);
        var data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        await using (var storage = Open(disk))
        {
            storage.Append(Entries(1, 20));
            storage.SaveState(new HardState(1, 1, 20), null);
            await storage.SaveSnapshotAsync(new RaftSnapshot(15, 1, data));
            storage.Append(Entries(21, 25));
            await storage.FlushAsync();
        }

        await using var reopened = Open(disk);
        var snapshot = reopened.Recovered.Snapshot;
        Assert.NotNull(snapshot);
        Assert.Equal((15L, 1L), (snapshot.Index, snapshot.Term));
        Assert.Equal(data, snapshot.Data.ToArray());
        AssertEntries(Entries(16, 25), reopened.Recovered.Entries);
        Assert.Equal(new HardState(1, 1, 20), reopened.Recovered.HardState);
    }

    [Fact]
    public async Task TheRecoveredStateRestartsARaftNode()
    {
        var disk = NewDisk(5);
        var membership = new Membership([1], [], 0, 1);
        var options = new RaftOptions { NodeId = 1, InitialMembership = membership, Random = new Random(5) };
        await using (var storage = Open(disk))
        {
            var node = new RaftNode(options);
            for (int round = 0; round < 200 && node.CommitIndex < 3; round++)
            {
                node.Tick();
                if (node.Role == RaftRole.Leader && node.LastIndex < 3)
                {
                    node.Propose(new byte[] { 1, 2, 3 });
                }

                if (node.HasReady())
                {
                    var ready = node.GetReady();
                    await storage.PersistAsync(ready);
                    node.Advance(ready);
                }
            }

            Assert.True(node.CommitIndex >= 3, $"a one-node cluster should commit; commit {node.CommitIndex}");
        }

        await using var reopened = Open(disk);
        var restarted = new RaftNode(new RaftOptions
        {
            NodeId = 1, InitialMembership = membership, Random = new Random(6),
        }, reopened.Recovered);
        Assert.True(restarted.LastIndex >= 3);
        Assert.True(reopened.Recovered.HardState.Term >= 1);
    }

    [Fact]
    public async Task RealFilesRoundTripAndRotate()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tube-storage-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new RaftStorageOptions { Directory = directory, SegmentBytesMax = 4096 };
            await using (var storage = await FileRaftStorage.OpenAsync(options))
            {
                storage.Append(Entries(1, 100));
                storage.SaveState(new HardState(3, 1, 90), new Membership([1, 2, 3], [], 3, 2));
                await storage.FlushAsync();
                await storage.SaveSnapshotAsync(new RaftSnapshot(50, 1, new byte[] { 7, 7, 7 }));
                storage.Append(Entries(101, 120));
                await storage.FlushAsync();
            }

            await using var reopened = await FileRaftStorage.OpenAsync(options);
            AssertEntries(Entries(51, 120), reopened.Recovered.Entries);
            Assert.Equal(50, reopened.Recovered.Snapshot!.Index);
            Assert.Equal(new HardState(3, 1, 90), reopened.Recovered.HardState);
            Assert.DoesNotContain(System.IO.Directory.EnumerateFiles(directory),
                f => f.EndsWith(".tmp", StringComparison.Ordinal));
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }
}
