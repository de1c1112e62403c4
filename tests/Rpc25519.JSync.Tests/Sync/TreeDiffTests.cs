using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Tests.Sync;

public class TreeDiffTests
{
    private static TreeEntry Dir(string path) => new() { Path = path, Kind = EntryKind.Directory, Mode = 0x1ED };

    private static TreeEntry File(string path, long size = 10, long mtime = 1000) => new() { Path = path, Size = size, MtimeNs = mtime, Mode = 0x1A4 };

    [Fact]
    public void Unchanged_files_by_size_and_mtime_are_skipped_and_others_fetched()
    {
        TreeEntry[] giver = [Dir(""), File("same"), File("grown", size: 11), File("touched", mtime: 2000), File("new")];
        TreeEntry[] taker = [Dir(""), File("same"), File("grown"), File("touched")];
        TreeDiff diff = TreeDiff.Compute(giver, taker, new SyncOptions());
        Assert.Equal(["grown", "touched", "new"], diff.FilesToFetch.Select(f => f.Path));
        Assert.Equal(["grown", "touched"], diff.Sources.Select(f => f.Path));
        Assert.Empty(diff.Deletes);
    }

    [Fact]
    public void Mtimes_compare_at_100_ns()
    {
        TreeDiff diff = TreeDiff.Compute([File("f", mtime: 1_000_000_050)], [File("f", mtime: 1_000_000_099)], new SyncOptions());
        Assert.Empty(diff.Changes);
    }

    [Fact]
    public void Deletes_come_children_first_and_only_when_asked()
    {
        TreeEntry[] giver = [Dir("")];
        TreeEntry[] taker = [Dir(""), Dir("old"), File("old/a"), Dir("old/sub"), File("old/sub/b")];
        Assert.Empty(TreeDiff.Compute(giver, taker, new SyncOptions()).Deletes);
        TreeDiff diff = TreeDiff.Compute(giver, taker, new SyncOptions { Delete = true });
        Assert.Equal(["old/sub/b", "old/sub", "old/a", "old"], diff.Deletes.Select(d => d.Path));
        Assert.Equal(["old/a", "old/sub/b"], diff.Sources.Select(s => s.Path)); // files gone on the giver may be renames
    }

    [Fact]
    public void A_kind_change_removes_the_old_entry_and_never_reuses_what_it_removes_early()
    {
        TreeEntry[] giver = [Dir(""), File("x"), Dir("y")];
        TreeEntry[] taker = [Dir(""), Dir("x"), File("x/inner"), File("y")];
        TreeDiff cautious = TreeDiff.Compute(giver, taker, new SyncOptions());
        Assert.Empty(cautious.RemoveAtCommit); // a non-empty directory is replaced only with --delete
        Assert.Single(cautious.Errors);
        TreeDiff diff = TreeDiff.Compute(giver, taker, new SyncOptions { Delete = true });
        Assert.Contains("x", diff.RemoveAtCommit);
        Assert.Equal(["y"], diff.RemoveFirst.Select(r => r.Path));
        Assert.DoesNotContain(diff.Sources, s => s.Path == "y");
        Assert.Equal([ChangeAction.Replace, ChangeAction.Replace], diff.Changes.Select(c => c.Action));
    }
}
