using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>Builds test trees from seeded data and compares trees entry by entry and byte by byte.</summary>
internal static class Trees
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Write(string root, string relative, byte[] content)
    {
        string full = Path.Join(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    /// <summary>A small mixed tree: nested dirs, an empty dir, empty file, text-like and binary files.</summary>
    public static void MakeSample(string root, int seed)
    {
        var random = new Random(seed);
        for (int d = 0; d < 4; d++)
        {
            for (int f = 0; f < 6; f++)
            {
                Write(root, $"dir{d}/sub{f % 2}/file{f}.dat", RandomBytes(random.Next(100, 40_000), seed * 1000 + d * 10 + f));
            }
        }
        Write(root, "big.bin", RandomBytes(600_000, seed + 7));
        Write(root, "empty.txt", []);
        Directory.CreateDirectory(Path.Join(root, "empty-dir/inner-empty"));
    }

    public static void AssertSame(string expectedRoot, string actualRoot, bool checkMtimes = true)
    {
        IReadOnlyList<TreeEntry> expected = new TreeScanner().Scan(expectedRoot).Entries;
        IReadOnlyList<TreeEntry> actual = new TreeScanner().Scan(actualRoot).Entries;
        Assert.Equal(expected.Select(e => e.Path), actual.Select(e => e.Path));
        for (int i = 0; i < expected.Count; i++)
        {
            TreeEntry e = expected[i], a = actual[i];
            Assert.True(e.Kind == a.Kind, $"{e.Path}: kind {a.Kind}, expected {e.Kind}");
            Assert.True(e.Size == a.Size, $"{e.Path}: size {a.Size}, expected {e.Size}");
            Assert.True(e.LinkTarget == a.LinkTarget, $"{e.Path}: link {a.LinkTarget}, expected {e.LinkTarget}");
            if (e.Kind != EntryKind.Symlink)
            {
                Assert.True(e.Mode == a.Mode, $"{e.Path}: mode {Convert.ToString(a.Mode, 8)}, expected {Convert.ToString(e.Mode, 8)}");
            }
            if (checkMtimes)
            {
                Assert.True(e.MtimeNs == a.MtimeNs, $"{e.Path}: mtime {a.MtimeNs}, expected {e.MtimeNs}");
            }
            if (e.Kind == EntryKind.File)
            {
                Assert.True(FilesEqual(Path.Join(expectedRoot, e.Path), Path.Join(actualRoot, a.Path)), $"{e.Path}: contents differ");
            }
        }
    }

    public static bool FilesEqual(string a, string b)
    {
        using var fa = File.OpenRead(a);
        using var fb = File.OpenRead(b);
        if (fa.Length != fb.Length)
        {
            return false;
        }
        var ba = new byte[1 << 16];
        var bb = new byte[1 << 16];
        while (true)
        {
            int na = fa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false);
            int nb = fb.ReadAtLeast(bb, bb.Length, throwOnEndOfStream: false);
            if (na != nb || !ba.AsSpan(0, na).SequenceEqual(bb.AsSpan(0, nb)))
            {
                return false;
            }
            if (na == 0)
            {
                return true;
            }
        }
    }

    /// <summary>Every file's bytes and every entry's metadata, to prove a dry run wrote nothing.</summary>
    public static string Snapshot(string root)
    {
        var sb = new System.Text.StringBuilder();
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            sb.Append(path).Append(' ').Append(info.LastWriteTimeUtc.Ticks).Append(' ').Append(info.Attributes);
            if (File.Exists(path) && info.LinkTarget is null)
            {
                sb.Append(' ').Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
