using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Compares the giver's tree with the taker's and decides, without touching the disk, what the taker must do. Pure, so
/// a dry run is exactly this change list. Files are "unchanged" when size and mtime match (at 100 ns), or, in
/// checksum mode, when size and whole-file BLAKE3 match.
/// </summary>
internal sealed class TreeDiff
{
    /// <summary>The change list, giver scan order, then deletes deepest first.</summary>
    public List<SyncChange> Changes { get; } = [];

    /// <summary>Giver directories the taker lacks, parents first.</summary>
    public List<TreeEntry> DirectoriesToCreate { get; } = [];

    /// <summary>Giver symlinks to create or re-point.</summary>
    public List<TreeEntry> SymlinksToWrite { get; } = [];

    /// <summary>Giver files whose contents the taker must rebuild.</summary>
    public List<TreeEntry> FilesToFetch { get; } = [];

    /// <summary>Giver entries whose contents match but whose mode or mtime differ (files and symlinks).</summary>
    public List<TreeEntry> MetadataOnly { get; } = [];

    /// <summary>Every giver directory, for the final mode and mtime pass (applied deepest first).</summary>
    public List<TreeEntry> Directories { get; } = [];

    /// <summary>Taker entries removed before the structure is built (a kind change to a directory or symlink).</summary>
    public List<TreeEntry> RemoveFirst { get; } = [];

    /// <summary>Taker directories a giver file replaces: removed just before the file is renamed into place.</summary>
    public HashSet<string> RemoveAtCommit { get; } = new(StringComparer.Ordinal);

    /// <summary>Taker entries to delete (only with --delete), deepest first.</summary>
    public List<TreeEntry> Deletes { get; } = [];

    /// <summary>Entries left alone, with the reason (a non-empty directory that only --delete may replace).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Taker files whose chunks may be reused: old versions of updated files and files gone on the giver.</summary>
    public List<TreeEntry> Sources { get; } = [];

    /// <summary>Computes the diff.</summary>
    public static TreeDiff Compute(IReadOnlyList<TreeEntry> giver, IReadOnlyList<TreeEntry> taker, SyncOptions options)
    {
        var diff = new TreeDiff();
        var takerByPath = new Dictionary<string, TreeEntry>(StringComparer.Ordinal);
        foreach (TreeEntry t in taker)
        {
            takerByPath[t.Path] = t;
        }
        var giverPaths = new HashSet<string>(StringComparer.Ordinal);
        var removedEarly = new List<string>();
        foreach (TreeEntry g in giver)
        {
            giverPaths.Add(g.Path);
            takerByPath.TryGetValue(g.Path, out TreeEntry? t);
            if (t is not null && t.Kind != g.Kind)
            {
                if (t.Kind == EntryKind.Directory && !options.Delete && HasChildren(t.Path, taker))
                {
                    diff.Errors.Add($"{g.Path}: not replaced by a {g.Kind.ToString().ToLowerInvariant()}: the directory there is not empty; rerun with --delete to replace it.");
                    continue;
                }
                diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Replace, Kind = g.Kind });
                if (g.Kind == EntryKind.File && t.Kind == EntryKind.Directory)
                {
                    diff.RemoveAtCommit.Add(g.Path);
                }
                else
                {
                    diff.RemoveFirst.Add(t);
                    removedEarly.Add(g.Path);
                }
                diff.AddCreate(g);
                continue;
            }
            if (t is null)
            {
                diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Create, Kind = g.Kind });
                diff.AddCreate(g);
                continue;
            }
            switch (g.Kind)
            {
                case EntryKind.Directory:
                    diff.Directories.Add(g);
                    if (g.Mode != t.Mode || !FileMetadata.SameMtime(g.MtimeNs, t.MtimeNs))
                    {
                        diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Metadata, Kind = g.Kind });
                    }
                    break;
                case EntryKind.Symlink:
                    if (g.LinkTarget != t.LinkTarget)
                    {
                        diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Update, Kind = g.Kind });
                        diff.SymlinksToWrite.Add(g);
                    }
                    else if (!FileMetadata.SameMtime(g.MtimeNs, t.MtimeNs))
                    {
                        diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Metadata, Kind = g.Kind });
                        diff.MetadataOnly.Add(g);
                    }
                    break;
                default:
                    if (!SameContent(g, t, options.Checksum))
                    {
                        diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Update, Kind = g.Kind });
                        diff.FilesToFetch.Add(g);
                        diff.Sources.Add(t);
                    }
                    else if (g.Mode != t.Mode || !FileMetadata.SameMtime(g.MtimeNs, t.MtimeNs))
                    {
                        diff.Changes.Add(new SyncChange { Path = g.Path, Action = ChangeAction.Metadata, Kind = g.Kind });
                        diff.MetadataOnly.Add(g);
                    }
                    break;
            }
        }
        foreach (TreeEntry t in taker)
        {
            if (giverPaths.Contains(t.Path) || UnderAny(t.Path, removedEarly))
            {
                continue;
            }
            if (t.Kind == EntryKind.File && !UnderAny(t.Path, diff.RemoveAtCommit))
            {
                diff.Sources.Add(t); // a rename or move source: its chunks are reused by the new name
            }
            if (options.Delete && !UnderAny(t.Path, diff.RemoveAtCommit))
            {
                diff.Deletes.Add(t);
            }
        }
        diff.Deletes.Reverse(); // scan order is parents first; delete children first
        foreach (TreeEntry d in diff.Deletes)
        {
            diff.Changes.Add(new SyncChange { Path = d.Path, Action = ChangeAction.Delete, Kind = d.Kind });
        }
        return diff;
    }

    private void AddCreate(TreeEntry g)
    {
        switch (g.Kind)
        {
            case EntryKind.Directory:
                DirectoriesToCreate.Add(g);
                Directories.Add(g);
                break;
            case EntryKind.Symlink:
                SymlinksToWrite.Add(g);
                break;
            default:
                FilesToFetch.Add(g);
                break;
        }
    }

    private static bool SameContent(TreeEntry g, TreeEntry t, bool checksum)
    {
        if (g.Size != t.Size)
        {
            return false;
        }
        if (checksum)
        {
            return g.FileHash is { } gh && t.FileHash is { } th && gh == th;
        }
        return FileMetadata.SameMtime(g.MtimeNs, t.MtimeNs);
    }

    private static bool HasChildren(string directory, IReadOnlyList<TreeEntry> entries)
    {
        string prefix = directory.Length == 0 ? "" : directory + "/";
        return entries.Any(e => e.Path.Length > prefix.Length && e.Path.StartsWith(prefix, StringComparison.Ordinal));
    }

    private static bool UnderAny(string path, IEnumerable<string> roots)
    {
        foreach (string root in roots)
        {
            if (root.Length == 0 || path == root || (path.Length > root.Length && path[root.Length] == '/' && path.StartsWith(root, StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }
}
