namespace Rpc25519.Fuzz;

/// <summary>The corpus kept in the repository: <c>tests/fuzz-corpus/TARGET/*</c> (seeds) and
/// <c>tests/fuzz-corpus/regressions/TARGET/*</c> (minimized inputs that once failed).</summary>
public static class Corpus
{
    /// <summary>The <c>tests/fuzz-corpus</c> folder, found by walking up from the running assembly to the folder
    /// that holds <c>Rpc25519.slnx</c> (or from <c>RPC25519_FUZZ_CORPUS</c> when set).</summary>
    /// <exception cref="DirectoryNotFoundException">Not found.</exception>
    public static string Root
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable("RPC25519_FUZZ_CORPUS");
            if (!string.IsNullOrEmpty(overridden))
            {
                return overridden;
            }
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Rpc25519.slnx")))
                {
                    return Path.Combine(dir.FullName, "tests", "fuzz-corpus");
                }
            }
            throw new DirectoryNotFoundException("tests/fuzz-corpus not found above " + AppContext.BaseDirectory +
                "; set RPC25519_FUZZ_CORPUS.");
        }
    }

    /// <summary>The seed files of <paramref name="target"/>, in name order.</summary>
    public static IReadOnlyList<string> SeedFiles(string target) => Files(Path.Combine(Root, target));

    /// <summary>The regression files of <paramref name="target"/>, in name order.</summary>
    public static IReadOnlyList<string> RegressionFiles(string target) =>
        Files(Path.Combine(Root, "regressions", target));

    /// <summary>The seeds and regressions of <paramref name="target"/>: the inputs mutations start from.</summary>
    public static List<byte[]> Load(string target) =>
        [.. SeedFiles(target).Concat(RegressionFiles(target)).Select(File.ReadAllBytes)];

    private static string[] Files(string dir) =>
        Directory.Exists(dir)
            ? [.. Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)]
            : [];
}
