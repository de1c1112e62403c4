using Rpc25519.JSync.Native;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Safety;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Every change the taker makes to its tree outside the file rebuilds: structure before the transfer, then the
/// commit (renames), partial cleanup, deletes and directory metadata after it. Every path goes through
/// <see cref="SafePath.Resolve"/>.
/// </summary>
internal sealed class TreeApplier
{
    private readonly string _root;
    private readonly List<string> _errors;
    private readonly HashSet<string> _committed = new(StringComparer.Ordinal);

    /// <summary>Creates an applier for <paramref name="root"/> that reports per-entry failures into <paramref name="errors"/>.</summary>
    public TreeApplier(string root, List<string> errors)
    {
        _root = root;
        _errors = errors;
    }

    private string Full(string relative) => SafePath.Resolve(_root, relative);

    /// <summary>Removes entries that change kind, creates directories and symlinks, fixes metadata-only entries.</summary>
    public void ApplyStructure(TreeDiff diff)
    {
        foreach (TreeEntry old in diff.RemoveFirst)
        {
            RemoveEntry(Full(old.Path), old.Kind);
        }
        foreach (TreeEntry dir in diff.DirectoriesToCreate)
        {
            Directory.CreateDirectory(Full(dir.Path));
        }
        foreach (TreeEntry link in diff.SymlinksToWrite)
        {
            string full = Full(link.Path);
            if (File.Exists(full) || new FileInfo(full).LinkTarget != null)
            {
                File.Delete(full);
            }
            File.CreateSymbolicLink(full, link.LinkTarget ?? "");
            FileMetadata.WriteMtimeNs(full, link.MtimeNs, isSymlink: true);
        }
        foreach (TreeEntry entry in diff.MetadataOnly)
        {
            string full = Full(entry.Path);
            if (entry.Kind == EntryKind.File)
            {
                FileMetadata.WriteMode(full, entry.Mode);
            }
            FileMetadata.WriteMtimeNs(full, entry.MtimeNs, entry.Kind == EntryKind.Symlink);
        }
    }

    private static void RemoveEntry(string full, EntryKind kind)
    {
        if (kind == EntryKind.Directory)
        {
            Directory.Delete(full, recursive: true);
        }
        else
        {
            File.Delete(full);
        }
    }

    /// <summary>Makes every temp file durable, renames each over its target, then fsyncs each directory touched once;
    /// without <paramref name="durable"/> only renames (<see cref="SyncOptions.Durable"/>).</summary>
    public void Commit(TreeDiff diff, List<PendingCommit> commits, bool durable)
    {
        var directories = new SortedSet<string>(commits.Select(c => Path.GetDirectoryName(c.TargetPath) ?? "."), StringComparer.Ordinal);
        if (durable && FileMetadata.CanSyncFileSystem)
        {
            FileMetadata.SyncFileSystems(directories); // temp data durable before the first rename
        }
        foreach (PendingCommit commit in commits)
        {
            if (diff.RemoveAtCommit.Contains(commit.RelativePath) && Directory.Exists(commit.TargetPath))
            {
                Directory.Delete(commit.TargetPath, recursive: true);
            }
            if (!PosixFile.TryRename(commit.TempPath, commit.TargetPath))
            {
                File.Move(commit.TempPath, commit.TargetPath, overwrite: true); // elsewhere, or to report why it failed
            }
        }
        if (durable)
        {
            foreach (string directory in directories)
            {
                FileMetadata.FsyncDirectory(directory);
            }
        }
        _committed.UnionWith(commits.Select(c => c.RelativePath));
    }

    /// <summary>Deletes partials whose file is now in place, or no longer wanted; keeps those of failed files.</summary>
    public void RemoveStalePartials(ScanResult scan, List<FileTarget> targets)
    {
        var requested = new HashSet<string>(targets.Select(t => t.Entry.Path), StringComparer.Ordinal);
        foreach (FileTarget target in targets.Where(t => _committed.Contains(t.Entry.Path)))
        {
            target.Partials.ForEach(File.Delete); // its chunks were read; the new file is in place
        }
        foreach (var (target, partials) in scan.Partials)
        {
            if (!requested.Contains(target))
            {
                foreach (string partial in partials)
                {
                    File.Delete(Full(partial)); // left by a run whose file is now up to date or gone
                }
            }
        }
    }

    /// <summary>Deletes what the diff lists (only with --delete), children first; a non-empty directory is reported.</summary>
    public void ApplyDeletes(TreeDiff diff)
    {
        foreach (TreeEntry entry in diff.Deletes)
        {
            string full = Full(entry.Path);
            try
            {
                if (entry.Kind == EntryKind.Directory)
                {
                    Directory.Delete(full, recursive: false);
                }
                else
                {
                    File.Delete(full);
                }
            }
            catch (IOException ex)
            {
                _errors.Add($"{entry.Path}: not deleted ({ex.Message}); it may hold excluded entries.");
            }
        }
    }

    /// <summary>Applies directory modes and mtimes deepest first, after every write inside them.</summary>
    public void ApplyDirectoryMetadata(TreeDiff diff)
    {
        for (int i = diff.Directories.Count - 1; i >= 0; i--)
        {
            TreeEntry dir = diff.Directories[i];
            string full = Full(dir.Path);
            FileMetadata.WriteMode(full, dir.Mode);
            FileMetadata.WriteMtimeNs(full, dir.MtimeNs, isSymlink: false);
        }
    }
}
