using System.Diagnostics;
using System.Globalization;
using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Sync;

// jsync chunker benchmark. Single-threaded by construction; pin it with `taskset -c 0` for a one-core figure.
//
//   chunk [--path FILE | --size MiB] [--seed N] [--configs 2K/8K/64K,4K/16K/64K,...] [--repeat N]
//       MB/s of FastCDC cut search alone, BLAKE3 alone, and chunk + per-chunk + whole-file BLAKE3 (what a sync does),
//       for each min/avg/max, over the same bytes held in memory (so the disk is not measured).
//   delta [--size MiB] [--seed N] [--edits N] [--configs ...]
//       bytes a sync would move after N seeded edits (half overwrites, half 1 KiB inserts): literal bytes plus the
//       receiver's summary (~10 bytes per chunk) — the trade-off that picks the default sizes.
//
//   compare-rsync [--size MiB] [--seed N] [--rounds N] [--base DIR --mutated DIR] [--rename-dir REL] [--keep]
//       jsync (TLS, in-process JSyncService) against an rsync daemon on 127.0.0.1, same seeded tree, same run: full
//       copy, no-change re-sync, delta after a ~1 % mutation; wall time, bytes on the wire, ratios; every run checked
//       against the source's digest. Default 64 MiB; --size 1040 is the issue's ~1 GiB tree. See CompareRsync.cs.
//
//   bytes [--size MiB] [--seed N]
//       where the bytes go, per message type and direction, for the compare-rsync cases, in memory (deterministic;
//       meaningful on a busy machine too).
//
// Do not run it for numbers on a shared machine; a tiny smoke run is `chunk --size 8 --repeat 1`.

if (typeof(ChunkerOptions).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is
        [DebuggableAttribute { IsJITOptimizerDisabled: true }] ||
    typeof(Rpc25519.JSync.Bench.BenchTree).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is
        [DebuggableAttribute { IsJITOptimizerDisabled: true }])
{
    Console.Error.WriteLine("Refusing to benchmark a Debug build: run with -c Release.");
    return 2;
}
if (args is ["bytes", ..])
{
    return await Rpc25519.JSync.Bench.ByteBreakdown.RunAsync(args);
}
if (args is ["compare-rsync", ..])
{
    return await Rpc25519.JSync.Bench.CompareRsync.RunAsync(args);
}

string mode = args.Length > 0 ? args[0] : "chunk";
string? path = Option("--path");
int sizeMiB = int.Parse(Option("--size") ?? "256", CultureInfo.InvariantCulture);
int seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture);
int repeat = int.Parse(Option("--repeat") ?? "3", CultureInfo.InvariantCulture);
int edits = int.Parse(Option("--edits") ?? "20", CultureInfo.InvariantCulture);
ChunkerOptions[] configs = (Option("--configs") ?? "2K/8K/64K,4K/16K/64K,8K/32K/128K,16K/64K/256K")
    .Split(',').Select(ChunkerOptions.Parse).ToArray();

byte[] data = path is null ? Generate((long)sizeMiB << 20, seed) : File.ReadAllBytes(path);
Console.WriteLine($"jsync bench {mode}: {data.Length / (1 << 20)} MiB {(path is null ? $"seeded random (seed {seed})" : path)}, {Environment.ProcessorCount} cores visible");

switch (mode)
{
    case "chunk":
        RunChunk();
        break;
    case "delta":
        RunDelta();
        break;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': use chunk, delta or compare-rsync");
        return 2;
}
return 0;

void RunChunk()
{
    double hashOnly = Best(() =>
    {
        for (int off = 0; off < data.Length; off += 1 << 20)
        {
            _ = ChunkHash.Of(data.AsSpan(off, Math.Min(1 << 20, data.Length - off)));
        }
    });
    Console.WriteLine($"{"BLAKE3 only",-16} {Rate(hashOnly),10}");
    Console.WriteLine($"{"config",-16} {"cut only",10} {"chunk+hash",12} {"vs BLAKE3",10} {"chunks",10} {"mean",8} {"at max",8}");
    foreach (ChunkerOptions options in configs)
    {
        long chunks = 0, atMax = 0;
        double cutOnly = Best(() =>
        {
            chunks = 0;
            atMax = 0;
            for (int off = 0; off < data.Length;)
            {
                int n = FastCdc.FindCut(data.AsSpan(off, Math.Min(options.MaxSize, data.Length - off)), options);
                chunks++;
                atMax += n == options.MaxSize ? 1 : 0;
                off += n;
            }
        });
        double full = Best(() =>
        {
            using var chunker = new StreamChunker(new MemoryStream(data, writable: false), options);
            while (chunker.MoveNext())
            {
            }
            _ = chunker.FileHash;
        });
        Console.WriteLine($"{options,-16} {Rate(cutOnly),10} {Rate(full),12} {hashOnly / full,9:F2}x {chunks,10} {data.Length / Math.Max(1, chunks),8} {100.0 * atMax / Math.Max(1, chunks),7:F1}%");
    }
}

void RunDelta()
{
    var random = new Random(seed + 1);
    byte[] edited = data;
    for (int i = 0; i < edits; i++)
    {
        int at = random.Next(edited.Length);
        byte[] patch = new byte[1024];
        random.NextBytes(patch);
        edited = i % 2 == 0
            ? [.. edited.AsSpan(0, at), .. patch, .. edited.AsSpan(Math.Min(edited.Length, at + patch.Length))]
            : [.. edited.AsSpan(0, at), .. patch, .. edited.AsSpan(at)];
    }
    Console.WriteLine($"{edits} edits of 1 KiB; {"config",-14} {"literal",12} {"summary",10} {"total",12}");
    foreach (ChunkerOptions options in configs)
    {
        var index = new ChunkIndex();
        long summaryChunks = 0;
        using (var chunker = new StreamChunker(new MemoryStream(data, writable: false), options))
        {
            while (chunker.MoveNext())
            {
                index.Add(chunker.Current.Hash, new ChunkLocation(0, chunker.Current.Offset, chunker.Current.Length));
                summaryChunks++;
            }
        }
        ComputedPlan plan = FilePlanner.ComputePlan(new MemoryStream(edited, writable: false), index, options);
        long summary = summaryChunks * 10;
        Console.WriteLine($"{"",-20} {options,-14} {plan.LiteralBytes,12:N0} {summary,10:N0} {plan.LiteralBytes + summary,12:N0}");
    }
}

double Best(Action action)
{
    action(); // warm up (tiering, page faults)
    double best = double.MaxValue;
    for (int i = 0; i < repeat; i++)
    {
        var sw = Stopwatch.StartNew();
        action();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return best;
}

string Rate(double seconds) => $"{data.Length / seconds / 1e6:F0} MB/s";

static byte[] Generate(long length, int seed)
{
    var bytes = new byte[length];
    new Random(seed).NextBytes(bytes);
    return bytes;
}

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
