using System.Reflection;

namespace Rpc25519.Docs.Tests;

/// <summary>The whole program of docs/tube-service.md ("A cluster in one program") runs as printed: three replicas
/// over TLS on loopback with real files, a client, and what it prints at the end.</summary>
public sealed class TubeProgramTests
{
    [Fact]
    public async Task The_three_replica_program_runs_as_printed()
    {
        DocBlock block = DocBlocks.All.Single(b => b.File == Path.Combine("docs", "tube-service.md")
            && b.Kind == "program" && b.Code.Contains("TubeReplica.StartAsync", StringComparison.Ordinal));
        // The entry point of an async top-level program blocks on "<Main>$", which returns the program's task.
        MethodInfo entry = DocCompiler.Load(block).EntryPoint!;
        MethodInfo main = entry.DeclaringType!.GetMethod("<Main>$", BindingFlags.NonPublic | BindingFlags.Static)!;

        TextWriter console = Console.Out;
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            await ((Task)main.Invoke(null, [Array.Empty<string>()])!).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            Console.SetOut(console);
        }

        string printed = output.ToString();
        Assert.Contains("refused, the key holds 2", printed, StringComparison.Ordinal);
        Assert.Contains("is leased by session", printed, StringComparison.Ordinal);
        Assert.Contains(": Delete u/alice v0", printed, StringComparison.Ordinal);
        Assert.Contains("money issued 100", printed, StringComparison.Ordinal);
        Assert.Equal(3, printed.Split('\n').Count(l => l.StartsWith("node ", StringComparison.Ordinal)));
    }
}
