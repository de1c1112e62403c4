using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Native;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Walks a root without following symlinks and lists files, directories and symlinks with their metadata, in a
/// deterministic order: each directory before its children, siblings sorted by ordinal name. The root itself is the
/// entry with path "" (a file root gives a single entry). A missing root gives no entries.
/// </summary>
public sealed class TreeScanner
{
    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    private readonly ExcludeFilter _excludes;
    private readonly bool _withHashes;

    /// <summary>Creates a scanner.</summary>
    /// <param name="excludes">Entries to leave out.</param>
    /// <param name="withHashes">Also compute each regular file's whole-file BLAKE3 (checksum mode).</param>
    public TreeScanner(ExcludeFilter? excludes = null, bool withHashes = false)
    {
        _excludes = excludes ?? ExcludeFilter.None;
        _withHashes = withHashes;
    }

    /// <summary>Scans <paramref name="root"/>.</summary>
    public ScanResult Scan(string root)
    {
        var entries = new List<TreeEntry>();
        var partials = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var skipped = new List<string>();
        FileSystemInfo rootInfo = Directory.Exists(root) ? new DirectoryInfo(root) : new FileInfo(root);
        if (rootInfo.Exists || rootInfo.LinkTarget != null)
        {
            if (Describe(rootInfo, "") is { } rootEntry)
            {
                entries.Add(rootEntry);
                if (rootEntry.Kind == EntryKind.Directory)
                {
                    Walk((DirectoryInfo)rootInfo, "", entries, partials, skipped);
                }
            }
            else
            {
                skipped.Add("");
            }
        }
        var frozen = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (target, list) in partials)
        {
            frozen[target] = list;
        }
        return new ScanResult(entries, frozen, skipped);
    }

    private void Walk(DirectoryInfo dir, string relative, List<TreeEntry> entries,
        SortedDictionary<string, List<string>> partials, List<string> skipped)
    {
        FileSystemInfo[] children = dir.GetFileSystemInfos("*", ListOptions);
        Array.Sort(children, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (FileSystemInfo child in children)
        {
            string path = SafePathJoin(relative, child.Name);
            bool isDirectory = child is DirectoryInfo && child.LinkTarget == null;
            if (!isDirectory && PartialFiles.TryParse(child.Name, out string targetName, out _))
            {
                string target = SafePathJoin(relative, targetName);
                if (!partials.TryGetValue(target, out List<string>? list))
                {
                    partials[target] = list = [];
                }
                list.Add(path);
                continue;
            }
            if (_excludes.IsExcluded(path, isDirectory))
            {
                continue;
            }
            TreeEntry? entry = Describe(child, path);
            if (entry is null)
            {
                skipped.Add(path);
                continue;
            }
            entries.Add(entry);
            if (entry.Kind == EntryKind.Directory)
            {
                Walk((DirectoryInfo)child, path, entries, partials, skipped);
            }
        }
    }

    private static string SafePathJoin(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    private TreeEntry? Describe(FileSystemInfo info, string path)
    {
        // One lstat gives the type, permission bits, size and ns mtime, so a plain file costs no other call (no
        // readlink, no second stat); elsewhere .NET's view (and its 100 ns time) is used.
        bool haveStat = PosixFile.TryLstat(info.FullName, out int mode, out long mtime, out long size);
        if (!haveStat)
        {
            mtime = FileMetadata.ReadMtimeNs(info);
        }
        int type = mode & PosixFile.TypeMask;
        if ((!haveStat || type == PosixFile.TypeSymlink) && info.LinkTarget is { } target)
        {
            return new TreeEntry { Path = path, Kind = EntryKind.Symlink, MtimeNs = mtime, LinkTarget = target };
        }
        if (haveStat && type != PosixFile.TypeRegular && type != PosixFile.TypeDirectory)
        {
            return null;
        }
        int permissions = haveStat ? mode & FileMetadata.ModeMask : FileMetadata.ReadMode(info);
        if (info is DirectoryInfo)
        {
            return new TreeEntry { Path = path, Kind = EntryKind.Directory, MtimeNs = mtime, Mode = permissions };
        }
        var file = (FileInfo)info;
        return new TreeEntry
        {
            Path = path,
            Kind = EntryKind.File,
            Size = haveStat ? size : file.Length,
            MtimeNs = mtime,
            Mode = permissions,
            FileHash = _withHashes ? HashFile(file.FullName) : null,
        };
    }

    /// <summary>The whole-file BLAKE3 of a file, streamed through a pooled buffer.</summary>
    internal static ChunkHash HashFile(string fullPath)
    {
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        using var hasher = new FileHasher();
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hasher.Update(buffer.AsSpan(0, n));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return hasher.Finish();
    }
}
