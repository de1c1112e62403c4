namespace Rpc25519.Packaging.Tests;

/// <summary>
/// The benchmark and soak commands the docs and issues promise. `dotnet test Rpc25519.slnx` builds the test projects
/// and what they reference, not the projects under bench/, so a change that broke one (as a change to a harness file
/// the Tube benchmark compiles once did) went unseen until somebody ran it. Here every bench project is built in
/// Release, and the Tube soaks run a few seeds and print their summary lines, and refuse bad seed arguments with a usage line.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("rpc25519-bench-build-").FullName;

    [Fact]
    public async Task Every_bench_project_builds_and_the_tube_soaks_run_a_few_seeds()
    {
        string repo = RepositoryCommands.FindRepositoryRoot();
        string[] projects = Directory.GetDirectories(Path.Combine(repo, "bench"))
            .Select(dir => Path.Combine(dir, Path.GetFileName(dir) + ".csproj"))
            .Where(File.Exists)
            .ToArray();
        Assert.Contains(projects, p => p.EndsWith("Rpc25519.Tube.Bench.csproj", StringComparison.Ordinal));
        foreach (string project in projects)
        {
            // The artifacts path keeps this build's outputs away from the solution's own bin and obj folders.
            await RepositoryCommands.RunAsync(repo, "dotnet", "build", project, "-c", "Release", "--artifacts-path",
                _artifacts, "-nologo", "-v", "q");
        }

        string bench = Directory.GetFiles(_artifacts, "Rpc25519.Tube.Bench.dll", SearchOption.AllDirectories)
            .Single(path => path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}",
                StringComparison.Ordinal));
        string kv = await RepositoryCommands.RunAsync(repo, "dotnet", bench, "kv-soak", "3", "1");
        Assert.Contains("3 seeds ran, 0 failed", kv, StringComparison.Ordinal);
        string raft = await RepositoryCommands.RunAsync(repo, "dotnet", bench, "soak", "5", "1");
        Assert.Contains("soak: ran=5 failed=0", raft, StringComparison.Ordinal);

        // Bad seed arguments get the command's usage line and exit code 2, never a stack trace (a negative count
        // once wrapped around to a practically endless run).
        string[][] bad =
        [
            ["kv-soak"], ["kv-soak", "x", "1"], ["kv-soak", "-5", "1"], ["kv-soak", "3"], ["kv-seed"],
            ["kv-seed", "abc"], ["soak", "-1"], ["seed", "x"],
        ];
        foreach (string[] arguments in bad)
        {
            string refused = await RepositoryCommands.RunExpectingAsync(2, repo, "dotnet", [bench, .. arguments]);
            Assert.Contains($"Usage: {arguments[0]} ", refused, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_artifacts, recursive: true);
}
