using System.Security.Cryptography;
using System.Text;

namespace Rpc25519.JSync.Bench;

/// <summary>
/// The seeded benchmark tree and its mutation, shaped like ../shared/bench/rsync/gen.py and mutate.py (not
/// byte-identical to them): at <c>--size 1040</c> about 20,000 text files of 1–64 KiB, 200 binary-ish files of
/// 1–10 MiB and three large files (VM-image-like with zero runs, 8 KiB DB pages, a tar-like log archive); smaller sizes
/// scale every count and size down. The mutated tree is a copy of the base tree (unchanged files keep their mtimes) with
/// the changed files written anew with a later mtime.
/// </summary>
internal static class BenchTree
{
    /// <summary>All files get whole-second mtimes from here on (so every tool keeps them exactly).</summary>
    private static readonly DateTime BaseTime = new(2023, 11, 14, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime MutatedTime = BaseTime.AddDays(400);

    private static readonly string[] Words = MakeWords();

    private const int KiB = 1024;
    private const int MiB = 1024 * 1024;

    /// <summary>Writes the base tree under <paramref name="root"/> (which must not exist).</summary>
    public static void Generate(string root, double sizeMiB, int seed)
    {
        double scale = sizeMiB / 1040.0;
        int texts = Math.Max(20, (int)(20_000 * scale));
        int mediums = Math.Max(2, (int)(200 * scale));
        var random = new Random(seed);
        Directory.CreateDirectory(root);
        long index = 0;
        for (int i = 0; i < texts; i++)
        {
            // Log-uniform 1..64 KiB, in project/dir folders of ~20 files.
            int size = (int)(KiB * Math.Pow(64, random.NextDouble()));
            string path = $"text/p{i / 400:D2}/d{i / 20 % 20:D2}/f{i:D5}.{"c,h,py,cs,js,md,json,log,txt".Split(',')[i % 9]}";
            Write(root, path, Text(random, size), index++);
        }
        for (int i = 0; i < mediums; i++)
        {
            int size = (int)Math.Min(10.0 * MiB, MiB * (1 + -0.8 * Math.Log(1 - random.NextDouble())));
            size = Math.Max(64 * KiB, (int)(size * Math.Min(1, scale * 4)));
            Write(root, $"data/k{i % 4}/m{i:D3}.{"bin,pak,dat,idx".Split(',')[i % 4]}", Binary(random, size), index++);
        }
        Write(root, "vm/disk0.img", VmImage(random, (int)Math.Max(MiB, 150 * MiB * scale)), index++);
        Write(root, "db/pages.db", DbPages(random, (int)Math.Max(MiB, 125 * MiB * scale)), index++);
        Write(root, "backup/logs.tar", Text(random, (int)Math.Max(MiB, 100 * MiB * scale)), index++);
    }

    /// <summary>Makes <paramref name="mutated"/> from <paramref name="base"/>: ~2 % of text files edited mid-file
    /// (shifting the tail), 1 KiB inserted early in each large file, appends to ~10 % of the binaries, new files, deleted
    /// files and one renamed directory (about the ~1 % change set of mutate.py).</summary>
    public static void Mutate(string @base, string mutated, int seed)
    {
        var random = new Random(seed + 7919);
        string[] files = Directory.GetFiles(@base, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(@base, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        string[] texts = files.Where(f => f.StartsWith("text/", StringComparison.Ordinal)).ToArray();
        string[] datas = files.Where(f => f.StartsWith("data/", StringComparison.Ordinal)).ToArray();
        // The renamed directory: one text leaf directory, moved whole.
        string renamedFrom = Path.GetDirectoryName(texts[texts.Length / 2])!.Replace('\\', '/') + "/";
        string renamedTo = renamedFrom.TrimEnd('/') + "-renamed/";
        var deleted = new HashSet<string>(Pick(random, texts.Where(f => !f.StartsWith(renamedFrom, StringComparison.Ordinal)).ToArray(), Math.Max(2, texts.Length / 400)));
        var edited = new HashSet<string>(Pick(random, texts.Where(f => !deleted.Contains(f)).ToArray(), Math.Max(4, texts.Length / 50)));
        var appended = new HashSet<string>(Pick(random, datas, Math.Max(1, datas.Length / 10)));
        string[] large = ["vm/disk0.img", "db/pages.db", "backup/logs.tar"];
        long index = 0;
        foreach (string file in files)
        {
            if (deleted.Contains(file))
            {
                continue;
            }
            string target = file.StartsWith(renamedFrom, StringComparison.Ordinal)
                ? renamedTo + file[renamedFrom.Length..]
                : file;
            string source = Path.Join(@base, file);
            if (edited.Contains(file))
            {
                byte[] bytes = File.ReadAllBytes(source);
                int at = bytes.Length / 2;
                byte[] patch = Text(random, 200 + random.Next(400));
                Write(mutated, target, [.. bytes.AsSpan(0, at), .. patch, .. bytes.AsSpan(Math.Min(bytes.Length, at + 100))],
                    -1);
            }
            else if (appended.Contains(file))
            {
                Write(mutated, target, [.. File.ReadAllBytes(source), .. Binary(random, 64 * KiB)], -1);
            }
            else if (large.Contains(file))
            {
                byte[] bytes = File.ReadAllBytes(source);
                int at = 64 * KiB + random.Next(64 * KiB);
                Write(mutated, target, [.. bytes.AsSpan(0, at), .. Binary(random, KiB), .. bytes.AsSpan(at)], -1);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(mutated, target))!);
                File.Copy(source, Path.Join(mutated, target));
                File.SetLastWriteTimeUtc(Path.Join(mutated, target), File.GetLastWriteTimeUtc(source));
            }
            index++;
        }
        for (int i = 0; i < Math.Max(2, texts.Length / 400); i++)
        {
            Write(mutated, $"text/new/n{i:D3}.txt", Text(random, KiB + random.Next(32 * KiB)), -1);
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/> (mtimes kept) with the directory
    /// <paramref name="directory"/> renamed to <paramref name="newName"/>: the issue's rename case on its own.</summary>
    public static void RenamedCopy(string from, string to, string directory, string newName)
    {
        string prefix = directory.TrimEnd('/') + "/";
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string path = Path.GetRelativePath(from, file).Replace('\\', '/');
            string target = Path.Join(to, path.StartsWith(prefix, StringComparison.Ordinal)
                ? newName.TrimEnd('/') + "/" + path[prefix.Length..]
                : path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
    }

    /// <summary>path → (size, mode, mtime, SHA-256) of every file, plus every directory; what a correct copy must
    /// match exactly.</summary>
    public static SortedDictionary<string, string> Digest(string root)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string dir in Directory.GetDirectories(root, "*", SearchOption.AllDirectories))
        {
            entries[Path.GetRelativePath(root, dir).Replace('\\', '/') + "/"] = "dir";
        }
        foreach (string file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(file);
            using FileStream stream = File.OpenRead(file);
            string hash = Convert.ToHexString(SHA256.HashData(stream));
            string mode = OperatingSystem.IsWindows() ? "" : Convert.ToString((int)File.GetUnixFileMode(file), 8);
            entries[Path.GetRelativePath(root, file).Replace('\\', '/')] =
                $"{info.Length} {mode} {info.LastWriteTimeUtc.Ticks} {hash}";
        }
        return entries;
    }

    /// <summary>The first few differences between two digests (empty when they match).</summary>
    public static List<string> Differences(SortedDictionary<string, string> expected,
        SortedDictionary<string, string> actual)
    {
        var diffs = new List<string>();
        foreach ((string path, string value) in expected)
        {
            if (!actual.TryGetValue(path, out string? got))
            {
                diffs.Add($"missing {path}");
            }
            else if (got != value)
            {
                diffs.Add($"differs {path}: want {value}, got {got}");
            }
        }
        diffs.AddRange(actual.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"extra {k}"));
        return diffs;
    }

    public static long Bytes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static IEnumerable<string> Pick(Random random, string[] from, int count) =>
        from.OrderBy(_ => random.Next()).Take(Math.Min(count, from.Length)).Order(StringComparer.Ordinal);

    private static void Write(string root, string path, byte[] bytes, long index)
    {
        string full = Path.Join(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead |
                UnixFileMode.OtherRead);
        }
        File.SetLastWriteTimeUtc(full, index < 0 ? MutatedTime : BaseTime.AddSeconds(index * 37 % 31_536_000));
    }

    /// <summary>Text from a small Zipf-ish vocabulary in lines (compressible, with repetition, like source and logs).</summary>
    private static byte[] Text(Random random, int size)
    {
        var text = new StringBuilder(size + 100);
        while (text.Length < size)
        {
            int words = 3 + random.Next(10);
            for (int w = 0; w < words; w++)
            {
                // Squaring the uniform skews toward the start of the list: a few words are very common.
                double u = random.NextDouble();
                text.Append(Words[(int)(u * u * u * Words.Length)]).Append(w + 1 < words ? ' ' : '\n');
            }
        }
        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }

    /// <summary>Segments of random, low-entropy, zero and text bytes.</summary>
    private static byte[] Binary(Random random, int size)
    {
        byte[] bytes = new byte[size];
        for (int at = 0; at < size;)
        {
            int length = Math.Min(size - at, 4 * KiB + random.Next(256 * KiB));
            Span<byte> segment = bytes.AsSpan(at, length);
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    random.NextBytes(segment);
                    break;
                case 2:
                    for (int i = 0; i < segment.Length; i++)
                    {
                        segment[i] = (byte)(random.Next(8) * 3);
                    }
                    break;
                default:
                    Text(random, length).CopyTo(segment);
                    break;
            }
            at += length;
        }
        return bytes;
    }

    /// <summary>A header, then random data extents alternating with runs of zeros.</summary>
    private static byte[] VmImage(Random random, int size)
    {
        byte[] bytes = new byte[size];
        random.NextBytes(bytes.AsSpan(0, 512));
        for (int at = 512; at < size;)
        {
            int data = Math.Min(size - at, MiB / 2 + random.Next(4 * MiB));
            random.NextBytes(bytes.AsSpan(at, data));
            at += data + MiB + random.Next(7 * MiB); // the zero run stays zero
        }
        return bytes;
    }

    /// <summary>8 KiB pages: a header, records, then free space of zeros.</summary>
    private static byte[] DbPages(Random random, int size)
    {
        byte[] bytes = new byte[size];
        for (int page = 0; page + 8 * KiB <= size; page += 8 * KiB)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(page), page / (8 * KiB));
            int used = 64 + random.Next(8 * KiB - 64);
            random.NextBytes(bytes.AsSpan(page + 16, used - 16));
        }
        return bytes;
    }

    private static string[] MakeWords()
    {
        var random = new Random(424242);
        string[] syllables = "ka lo mi ne ru ta shi po da ve xi zo qua bel tor gan fer lin mod sep cor dat ser ver con pro"
            .Split(' ');
        string[] common = "the of and to in is that for it as with be on not this by are or from at data file value list type error state result return buffer index count size name path node key"
            .Split(' ');
        var words = new List<string>(common);
        while (words.Count < 3000)
        {
            int n = 2 + random.Next(3);
            words.Add(string.Concat(Enumerable.Range(0, n).Select(_ => syllables[random.Next(syllables.Length)])));
        }
        return [.. words];
    }
}
