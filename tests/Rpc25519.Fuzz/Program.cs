using System.Globalization;
using Rpc25519.Fuzz;

// Command line of the fuzz project; see docs/fuzzing.md.
//   TARGET [--seconds N] [--seed S] [--inputs N]  the managed mutation engine, for longer runs
//   list                                          target names
//   seeds                                         rewrite the seed corpus (tests/fuzz-corpus/TARGET/seed-*)
//   repro TARGET FILE...                          run files through a target and print what they do
//   afl TARGET                                    SharpFuzz + AFL++ (run under afl-fuzz, instrumented build)
//   libfuzzer TARGET                              SharpFuzz + libFuzzer (run under libfuzzer-dotnet)
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: TARGET [--seconds N] [--seed S] [--inputs N] | list | seeds | repro TARGET FILE... | " +
        "afl TARGET | libfuzzer TARGET");
    return 2;
}
switch (args[0])
{
    case "list":
        foreach (FuzzTarget t in Targets.All)
        {
            Console.WriteLine(t.Name);
        }
        return 0;
    case "seeds":
        Seeds.WriteAll(Corpus.Root);
        Console.WriteLine($"Seeds written under {Corpus.Root}.");
        return 0;
    case "repro":
    {
        FuzzTarget target = Targets.Find(args[1]);
        int bad = 0;
        foreach (string file in args.Skip(2))
        {
            FuzzFinding? finding = FuzzRunner.Check(target, File.ReadAllBytes(file), out bool typed, out long allocated);
            Console.WriteLine(finding is null
                ? $"{file}: ok ({(typed ? "typed failure" : "accepted")}, {allocated} bytes allocated)"
                : $"{file}: FINDING {finding}");
            bad += finding is null ? 0 : 1;
        }
        return bad == 0 ? 0 : 1;
    }
    case "minimize":
    {
        // Greedy: drop chunks (halving their size) while the input still fails the same way.
        FuzzTarget target = Targets.Find(args[1]);
        byte[] input = File.ReadAllBytes(args[2]);
        string? Signature(byte[] bytes) =>
            FuzzRunner.Check(target, bytes, out _, out _)?.Problem.Split('\n')[0] is { } p
                ? (p.StartsWith("allocated", StringComparison.Ordinal) ? "allocation" : p) : null;
        string want = Signature(input) ?? throw new ArgumentException("The input does not fail.");
        for (int chunk = Math.Max(1, input.Length / 2); chunk >= 1; chunk /= 2)
        {
            for (int at = 0; at + chunk <= input.Length;)
            {
                byte[] shorter = [.. input.AsSpan(0, at), .. input.AsSpan(at + chunk)];
                if (Signature(shorter) == want)
                {
                    input = shorter;
                }
                else
                {
                    at += chunk;
                }
            }
        }
        File.WriteAllBytes(args[3], input);
        Console.WriteLine($"{input.Length} bytes: {want}");
        return 0;
    }
    case "afl":
    {
        FuzzTarget target = Targets.Find(args[1]);
        // Typed failures are the target's normal answers; anything else escapes and AFL++ records a crash.
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            RunIgnoringTyped(target, buffer.ToArray());
        });
        return 0;
    }
    case "libfuzzer":
    {
        FuzzTarget target = Targets.Find(args[1]);
        SharpFuzz.Fuzzer.LibFuzzer.Run(span => RunIgnoringTyped(target, span.ToArray()));
        return 0;
    }
}

{
    FuzzTarget target = Targets.Find(args[0]);
    double seconds = 60;
    ulong seed = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    int inputs = int.MaxValue;
    for (int i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--seed": seed = ulong.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--inputs": inputs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
        }
    }
    string findingsDir = Path.Combine(Corpus.Root, "..", "..", "artifacts", "fuzz-findings", target.Name);
    Console.WriteLine($"fuzzing {target.Name} for {seconds} s, seed {seed}");
    FuzzReport report = FuzzRunner.Run(target, Corpus.Load(target.Name), seed, inputs,
        TimeSpan.FromSeconds(seconds), maxFindings: 100, onFinding: f =>
        {
            Directory.CreateDirectory(findingsDir);
            string file = Path.Combine(findingsDir, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Input))[..16]);
            File.WriteAllBytes(file, f.Input);
            Console.WriteLine($"FINDING saved to {file}\n{f}\n");
        });
    Console.WriteLine($"{report.Inputs} inputs in {report.Elapsed.TotalSeconds:0.0} s " +
        $"({report.Inputs / Math.Max(report.Elapsed.TotalSeconds, 0.001):0} /s), {report.TypedFailures} typed failures, " +
        $"max {report.MaxAllocated} bytes allocated for one input, {report.Findings.Count} findings");
    return report.Findings.Count == 0 ? 0 : 1;
}

static void RunIgnoringTyped(FuzzTarget target, byte[] input)
{
    try
    {
        target.Run(input);
    }
    catch (Exception e) when (target.IsExpected(e))
    {
    }
}
