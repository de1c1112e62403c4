namespace Rpc25519.Compression;

/// <summary>The config-file and command-line names of <see cref="CompressionAlgo"/> values.</summary>
public static class CompressionNames
{
    /// <summary>Every name <see cref="Parse"/> accepts, in wire order (aliases excluded).</summary>
    public static IReadOnlyList<string> All { get; } =
        ["none", "snappy", "lz4", "zstd:01", "zstd:03", "zstd:07", "zstd:11"];

    /// <summary>The canonical name of <paramref name="algo"/>, e.g. <c>zstd:03</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algo"/> is not a sendable algorithm.</exception>
    public static string ToName(CompressionAlgo algo) =>
        (byte)algo < All.Count
            ? All[(byte)algo]
            : throw new ArgumentOutOfRangeException(nameof(algo), algo, "Not a compression algorithm a sender can choose.");

    /// <summary>
    /// Parses a name: <c>none</c> (or empty), <c>snappy</c> (alias <c>s2</c>), <c>lz4</c>, <c>zstd:01</c>,
    /// <c>zstd:03</c>, <c>zstd:07</c>, <c>zstd:11</c>. Case-insensitive.
    /// </summary>
    /// <exception cref="FormatException">The name is not one of those; the message lists the valid names.</exception>
    public static CompressionAlgo Parse(string name)
    {
        if (TryParse(name, out CompressionAlgo algo))
        {
            return algo;
        }
        throw new FormatException($"Unknown compression '{name}'; use one of: {string.Join(", ", All)}.");
    }

    /// <summary>Like <see cref="Parse"/>, returning <see langword="false"/> for an unknown name.</summary>
    public static bool TryParse(string? name, out CompressionAlgo algo)
    {
        string key = (name ?? "").Trim().ToLowerInvariant();
        if (key is "" or "compression-none")
        {
            algo = CompressionAlgo.None;
            return true;
        }
        if (key == "s2")
        {
            algo = CompressionAlgo.Snappy;
            return true;
        }
        for (int i = 0; i < All.Count; i++)
        {
            if (All[i] == key)
            {
                algo = (CompressionAlgo)i;
                return true;
            }
        }
        algo = CompressionAlgo.None;
        return false;
    }
}
