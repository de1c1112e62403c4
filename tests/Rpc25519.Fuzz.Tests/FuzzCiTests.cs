using Rpc25519.Fuzz;

namespace Rpc25519.Fuzz.Tests;

/// <summary>
/// The bounded fuzz slice that runs in CI: every target over its corpus (seeds and regressions) and a fixed number of
/// seeded mutations, with the same inputs on every run. Any exception other than the target's typed failures, or an
/// input that allocates past the target's bound, fails the test with the input in hex (reproduce it with
/// <c>dotnet run --project tests/Rpc25519.Fuzz -- repro TARGET FILE</c>).
/// </summary>
public sealed class FuzzCiTests
{
    /// <summary>Mutated inputs per target in CI: the whole slice takes about 5 s alone on 2 cores (most targets
    /// decode 50,000–150,000 inputs a second, certificates about 15,000).</summary>
    private const int InputsPerTarget = 20_000;

    public static TheoryData<string> TargetNames()
    {
        var names = new TheoryData<string>();
        foreach (FuzzTarget target in Targets.All)
        {
            names.Add(target.Name);
        }
        return names;
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Mutations_of_the_corpus_end_normally_or_in_a_typed_failure(string name)
    {
        FuzzTarget target = Targets.Find(name);
        List<byte[]> corpus = Corpus.Load(name);
        Assert.NotEmpty(corpus);
        FuzzReport report = FuzzRunner.Run(target, corpus, SeedOf(name), corpus.Count + InputsPerTarget);

        Assert.True(report.Findings.Count == 0,
            $"{report.Findings.Count} findings in {report.Inputs} inputs:\n" + string.Join("\n\n", report.Findings));
        Assert.Equal(corpus.Count + InputsPerTarget, report.Inputs);
        // Mutations must reach past the first check: if every input failed, the target would test little (except the
        // unknown-compression target, which exists to show that such frames are always refused).
        if (name == "frame-unknown")
        {
            Assert.Equal(report.Inputs, report.TypedFailures);
        }
        else
        {
            Assert.True(report.TypedFailures < report.Inputs, $"every one of {report.Inputs} inputs failed");
        }
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void At_least_one_seed_is_accepted_so_that_the_target_decodes_for_real(string name)
    {
        FuzzTarget target = Targets.Find(name);
        IReadOnlyList<string> seeds = Corpus.SeedFiles(name);
        Assert.NotEmpty(seeds);
        int accepted = 0;
        foreach (string seed in seeds)
        {
            FuzzFinding? finding = FuzzRunner.Check(target, File.ReadAllBytes(seed), out bool typed, out _);
            Assert.Null(finding);
            accepted += typed ? 0 : 1;
        }
        if (name == "frame-unknown")
        {
            Assert.Equal(0, accepted); // an unknown compression byte is always refused
        }
        else
        {
            Assert.True(accepted > 0, $"no seed of {name} decodes; regenerate them with the 'seeds' command");
        }
    }

    [Fact]
    public void The_mutation_engine_is_deterministic()
    {
        List<byte[]> corpus = Corpus.Load("message");
        var a = new Mutator(new FuzzRandom(7), corpus);
        var b = new Mutator(new FuzzRandom(7), corpus);
        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(a.Next(), b.Next());
        }
    }

    [Fact]
    public void A_target_that_throws_an_untyped_exception_is_reported_as_a_finding()
    {
        var target = new FuzzTarget("broken", input => _ = input[input.Length], e => e is RpcProtocolException, 1, 0);
        FuzzReport report = FuzzRunner.Run(target, [[1, 2, 3]], seed: 1, inputs: 10);
        Assert.Equal(10, report.Findings.Count);
        Assert.Contains("IndexOutOfRangeException", report.Findings[0].Problem);
    }

    [Fact]
    public void A_target_that_allocates_past_its_bound_is_reported_as_a_finding()
    {
        var target = new FuzzTarget("greedy", input => GC.KeepAlive(new byte[1 << 20]), _ => false, 16, 4096);
        FuzzFinding? finding = FuzzRunner.Check(target, new byte[10], out _, out long allocated);
        Assert.NotNull(finding);
        Assert.True(allocated >= 1 << 20);
    }

    /// <summary>A fixed seed per target, so that targets do not all walk the same mutation sequence.</summary>
    private static ulong SeedOf(string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
