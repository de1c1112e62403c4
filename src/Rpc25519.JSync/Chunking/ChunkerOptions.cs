using System.Numerics;

namespace Rpc25519.JSync.Chunking;

/// <summary>
/// Minimum, average (target) and maximum chunk sizes for FastCDC. Both ends of a sync should use the same values so
/// that equal content cuts into equal chunks; correctness never depends on it, only the bytes saved do.
/// </summary>
/// <remarks>
/// The default, 2 KiB / 8 KiB / 64 KiB, is the setting with the smallest deltas in the original's published chunker
/// comparison (FastCDC, 1 MiB files with planted edits) and the classic FastCDC paper setting. A smaller average
/// resends less around each edit; a larger one shrinks the receiver's summaries (about 45 bytes per chunk on the wire)
/// and the per-chunk work. <c>bench/Rpc25519.JSync.Bench chunk</c> measures the trade-off; see docs/jsync.md.
/// </remarks>
public sealed record ChunkerOptions
{
    /// <summary>The smallest allowed value of any size.</summary>
    public const int MinimumAllowed = 64;

    /// <summary>The largest allowed maximum chunk size (64 MiB), which bounds the chunker's buffer.</summary>
    public const int MaximumAllowed = 64 * 1024 * 1024;

    /// <summary>The defaults: 2 KiB / 8 KiB / 64 KiB.</summary>
    public static ChunkerOptions Default { get; } = new(2 * 1024, 8 * 1024, 64 * 1024);

    private static readonly ChunkerOptions[] BySizeClass = MakeSizeClasses();

    /// <summary>The smallest average <see cref="ForFileSize"/> picks (tiny files).</summary>
    public const int SmallestAdaptiveAverage = 256;

    /// <summary>The largest average <see cref="ForFileSize"/> picks (files of ~128 MiB and more).</summary>
    public const int LargestAdaptiveAverage = 32 * 1024;

    /// <summary>
    /// Sizes for one file of <paramref name="fileSize"/> bytes: the average is the power of two nearest
    /// √(8 × size), between 256 B and 32 KiB, with min = avg/4 and max = 8 × avg. An edit resends about one average
    /// chunk while the receiver's summary costs about 10 bytes per chunk, so the sum of the two is smallest near
    /// √(10 × size): a 16 KiB source file gets 512-byte chunks (an edit costs ~1 KiB instead of ~9 KiB with 8 KiB
    /// chunks), a 150 MiB disk image 32 KiB chunks (a 40 KB summary instead of 200 KB). rsync picks its block size
    /// the same way (√size). Both sides derive the sizes from the giver's size of the file, so they agree.
    /// </summary>
    public static ChunkerOptions ForFileSize(long fileSize)
    {
        double ideal = Math.Sqrt(8.0 * Math.Max(0, fileSize));
        int log = Math.Clamp((int)Math.Round(Math.Log2(Math.Max(1, ideal))),
            BitOperations.Log2(SmallestAdaptiveAverage), BitOperations.Log2(LargestAdaptiveAverage));
        return BySizeClass[log - BitOperations.Log2(SmallestAdaptiveAverage)];
    }

    private static ChunkerOptions[] MakeSizeClasses()
    {
        var classes = new List<ChunkerOptions>();
        for (int avg = SmallestAdaptiveAverage; avg <= LargestAdaptiveAverage; avg *= 2)
        {
            classes.Add(new ChunkerOptions(avg / 4, avg, avg * 8));
        }
        return [.. classes];
    }

    /// <summary>Creates and validates a configuration.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are not 64 B ≤ min &lt; avg &lt; max ≤ 64 MiB.</exception>
    public ChunkerOptions(int minSize, int averageSize, int maxSize)
    {
        if (minSize < MinimumAllowed || !(minSize < averageSize && averageSize < maxSize) || maxSize > MaximumAllowed)
        {
            throw new ArgumentOutOfRangeException(nameof(averageSize),
                $"Chunk sizes must satisfy {MinimumAllowed} <= min < avg < max <= {MaximumAllowed}; got min {minSize}, avg {averageSize}, max {maxSize}.");
        }
        MinSize = minSize;
        AverageSize = averageSize;
        MaxSize = maxSize;
        int bits = BitOperations.Log2((uint)averageSize);
        MaskSmall = GearTable.Mask(bits + 2);
        MaskLarge = GearTable.Mask(Math.Max(1, bits - 2));
    }

    /// <summary>No chunk is shorter than this, except the last chunk of a file.</summary>
    public int MinSize { get; }

    /// <summary>The target average size; cut-point masks are derived from its base-2 logarithm.</summary>
    public int AverageSize { get; }

    /// <summary>No chunk is longer than this: a cut is forced here.</summary>
    public int MaxSize { get; }

    /// <summary>The stricter mask used before the average size (normalized chunking, level 2).</summary>
    internal ulong MaskSmall { get; }

    /// <summary>The looser mask used from the average size on.</summary>
    internal ulong MaskLarge { get; }

    /// <summary>Parses <c>min/avg/max</c> in bytes, with optional K/M suffixes (powers of 1024): "2K/8K/64K".</summary>
    /// <exception cref="FormatException">The text is not three sizes separated by '/'.</exception>
    public static ChunkerOptions Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 3)
        {
            throw new FormatException($"Chunker sizes are written min/avg/max, e.g. 2K/8K/64K; got '{text}'.");
        }
        return new ChunkerOptions(ParseSize(parts[0]), ParseSize(parts[1]), ParseSize(parts[2]));
    }

    private static int ParseSize(string s)
    {
        s = s.Trim();
        int multiplier = 1;
        if (s.EndsWith('K') || s.EndsWith('k'))
        {
            multiplier = 1024;
            s = s[..^1];
        }
        else if (s.EndsWith('M') || s.EndsWith('m'))
        {
            multiplier = 1024 * 1024;
            s = s[..^1];
        }
        if (!int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            throw new FormatException($"'{s}' is not a chunk size; write a number of bytes, optionally with K or M.");
        }
        return checked(n * multiplier);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{MinSize}/{AverageSize}/{MaxSize}";
}
