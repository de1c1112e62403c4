namespace Rpc25519.Packaging.Tests;

/// <summary>
/// Meets the library the way a user does: packs it, installs the package from a local folder feed into a fresh console
/// project that knows nothing of this repository, and runs the program of docs/getting-started.md (a TLS call). Each
/// run packs under a version of its own, so a package left in the NuGet cache by an earlier run can never stand in for
/// this one.
/// </summary>
public sealed class PackageInstallTests : IDisposable
{
    private static readonly string[] Packages =
        ["Rpc25519", "Rpc25519.SimNet", "Rpc25519.Tube", "Rpc25519.JSync", "Rpc25519.Hosting", "Rpc25519.Quic",
            "Rpc25519.Tube.Etcd"];
    private readonly string _work = Directory.CreateTempSubdirectory("rpc25519-package-").FullName;
    // SemVer forbids leading zeros in numeric pre-release parts (a time before 10:00 made "packagetest.123.0915…"
    // an invalid version and restore failed), so the time part starts with a letter.
    private readonly string _version = $"0.0.0-packagetest.{Environment.ProcessId}.t{DateTime.UtcNow:HHmmssfff}";

    [Fact]
    public async Task The_packed_library_runs_the_getting_started_program_in_a_fresh_console_project()
    {
        string repo = RepositoryCommands.FindRepositoryRoot();
        string feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        string consumer = Directory.CreateDirectory(Path.Combine(_work, "consumer")).FullName;

        // Every library package; the artifacts path keeps this build's outputs away from the solution's own bin and
        // obj folders. The consumer references them all, so each must restore with its dependencies (and the SimNet
        // package's analyzers run in the consumer's build).
        foreach (string package in Packages)
        {
            await RepositoryCommands.RunAsync(repo, "dotnet", "pack", $"src/{package}/{package}.csproj", "-c", "Release", "-o", feed,
                $"-p:Version={_version}", "--artifacts-path", Path.Combine(_work, "artifacts"), "-nologo", "-v", "q");
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{_version}.nupkg")),
                $"no {package}.{_version}.nupkg in {feed}: {string.Join(", ", Directory.GetFiles(feed))}");
        }

        string here = AppContext.BaseDirectory;
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ProgramOfTheGettingStartedPage(repo));
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"),
            File.ReadAllText(Path.Combine(here, "Consumer", "Consumer.csproj.txt"))
                .Replace("$(Rpc25519Version)", _version, StringComparison.Ordinal));
        // The local feed is added to the sources the machine already has (no <clear/>), as a user would do.
        File.WriteAllText(Path.Combine(consumer, "nuget.config"),
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-packages" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        string output = await RepositoryCommands.RunAsync(consumer, "dotnet", "run", "-c", "Release", "-nologo");

        Assert.Contains("hello, world, over TLS", output, StringComparison.Ordinal);
    }

    /// <summary>The C# block of docs/getting-started.md: the page promises that its program works as printed.</summary>
    private static string ProgramOfTheGettingStartedPage(string repo)
    {
        string page = File.ReadAllText(Path.Combine(repo, "docs", "getting-started.md"));
        const string Open = "```csharp\n";
        int start = page.IndexOf(Open, StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/getting-started.md has no C# block");
        start += Open.Length;
        int end = page.IndexOf("```", start, StringComparison.Ordinal);
        Assert.True(page.IndexOf(Open, end, StringComparison.Ordinal) < 0,
            "docs/getting-started.md has more than one C# block; the test runs exactly one program");
        return page[start..end];
    }

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        // The packages this run put in the NuGet cache are of no use to anyone after it.
        string? cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        cache ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string package in Packages)
        {
            string cached = Path.Combine(cache, package.ToLowerInvariant(), _version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }
}
