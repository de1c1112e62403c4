using System.Diagnostics;
using System.Globalization;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Bench;

/// <summary>
/// Where a sync's bytes go, by message type: runs the four compare-rsync cases (full, no change, delta, rename) through
/// the real protocol in memory (no network, so it is quick and exactly repeatable) and prints encoded message bytes
/// and counts per type and direction. Bytes are deterministic, so this is meaningful even on a busy machine; the
/// network figures (frames, TLS) come from compare-rsync.
/// </summary>
internal static class ByteBreakdown
{
    public static async Task<int> RunAsync(string[] args)
    {
        double sizeMiB = double.Parse(Option(args, "--size") ?? "64", CultureInfo.InvariantCulture);
        int seed = int.Parse(Option(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        string work = Directory.CreateTempSubdirectory("jsync-bytes-").FullName;
        try
        {
            string @base = Path.Join(work, "base");
            string mutated = Path.Join(work, "mutated");
            string renamed = Path.Join(work, "renamed");
            BenchTree.Generate(@base, sizeMiB, seed);
            BenchTree.Mutate(@base, mutated, seed);
            BenchTree.RenamedCopy(mutated, renamed, "data/k0", "data/k0-moved");
            string dest = Path.Join(work, "dest");
            Console.WriteLine($"jsync bytes: --size {sizeMiB} --seed {seed}, {BenchTree.Bytes(@base) / 1e6:F1} MB tree");
            foreach ((string name, string source) in new[] { ("full", @base), ("nochange", @base), ("delta", mutated), ("rename", renamed) })
            {
                var (a, b) = InMemoryChannel.CreatePair();
                var giver = new CountingChannel(a);
                var taker = new CountingChannel(b);
                var timer = Stopwatch.StartNew();
                SyncResult result = await LocalSync.RunPairAsync(giver, taker, SyncRole.Giver, source, dest,
                    new SyncOptions { Delete = true });
                if (result.Errors.Count > 0)
                {
                    throw new InvalidOperationException(string.Join("; ", result.Errors.Take(5)));
                }
                if (BenchTree.Differences(BenchTree.Digest(source), BenchTree.Digest(dest)) is { Count: > 0 } diffs)
                {
                    throw new InvalidOperationException($"{name}: wrong copy: {string.Join("; ", diffs.Take(5))}");
                }
                long total = giver.Bytes.Values.Sum(v => v.Bytes) + taker.Bytes.Values.Sum(v => v.Bytes);
                Console.WriteLine($"{name}: {total:N0} B in {giver.Bytes.Values.Sum(v => v.Count) + taker.Bytes.Values.Sum(v => v.Count):N0} messages " +
                    $"({timer.Elapsed.TotalSeconds:F2} s; literal {result.LiteralBytes:N0}, copied {result.CopiedBytes:N0}, zero {result.ZeroBytes:N0})");
                foreach ((string side, CountingChannel c) in new[] { ("giver->taker", giver), ("taker->giver", taker) })
                {
                    foreach ((string type, (long bytes, long count)) in c.Bytes.OrderByDescending(kv => kv.Value.Bytes))
                    {
                        Console.WriteLine($"  {side} {type,-18} {bytes,14:N0} B {count,9:N0} msgs");
                    }
                }
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Counts the encoded bytes of each message sent through it, by message type.</summary>
    private sealed class CountingChannel(IJSyncChannel inner) : IJSyncChannel
    {
        public Dictionary<string, (long Bytes, long Count)> Bytes { get; } = [];

        public ValueTask SendAsync(JSyncMessage message, CancellationToken cancellationToken)
        {
            int n = JSyncSerializer.Serialize(message).Length;
            string type = message.GetType().Name;
            lock (Bytes)
            {
                (long b, long c) = Bytes.GetValueOrDefault(type);
                Bytes[type] = (b + n, c + 1);
            }
            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask<JSyncMessage> ReceiveAsync(CancellationToken cancellationToken) => inner.ReceiveAsync(cancellationToken);

        public void Abort(string reason) => inner.Abort(reason);
    }
}
