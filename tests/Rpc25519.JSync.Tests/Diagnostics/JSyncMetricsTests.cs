using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rpc25519.JSync.Diagnostics;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;
using Rpc25519.Tests.Diagnostics;

namespace Rpc25519.JSync.Tests.Diagnostics;

/// <summary>The jsync meter's instruments carry no per-sync tag, so these run alone in the process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JSyncMetricsCollection
{
    public const string Name = "jsync metrics";
}

/// <summary>The <c>Rpc25519.JSync</c> meter counts each sync on both sides: files, literal and reused bytes, chunks,
/// scanned entries, and the sync's outcome and duration.</summary>
[Collection(JSyncMetricsCollection.Name)]
public sealed class JSyncMetricsTests
{
    private static double Sum(IEnumerable<Measurement> seen, string instrument, string role) =>
        seen.Where(m => m.Instrument == instrument && m.Tag("jsync.role") == role).Sum(m => m.Value);

    [Fact]
    public async Task A_push_of_an_edited_file_reports_what_travelled_and_what_was_reused_on_both_sides()
    {
        using var source = new TempDir();
        using var target = new TempDir();
        byte[] old = Trees.RandomBytes(2_000_000, 41);
        byte[] edited = (byte[])old.Clone();
        Trees.RandomBytes(4096, 42).CopyTo(edited, 1_000_000);
        // An older mtime, so that the quick check (size and mtime) sees the edit however fast the files are made.
        File.SetLastWriteTimeUtc(Trees.Write(target.Path, "data.bin", old), new DateTime(2020, 1, 1, 0, 0, 0,
            DateTimeKind.Utc));
        Trees.Write(source.Path, "data.bin", edited);
        Trees.Write(source.Path, "new.txt", "hello"u8.ToArray());
        var seen = new ConcurrentQueue<Measurement>();
        using (MeterListener listener = MeterCapture.Listen(seen, JSyncDiagnostics.MeterName))
        {
            SyncResult result = await LocalSync.PushAsync(source.Path, target.Path, new SyncOptions());

            foreach (string role in new[] { "giver", "taker" })
            {
                Assert.Equal(1, Sum(seen.Where(m => m.Tag("jsync.outcome") == "ok"), "jsync.syncs", role));
                Assert.Equal(result.FilesTransferred, Sum(seen, "jsync.files.transferred", role));
                Assert.Equal(result.LiteralBytes, Sum(seen, "jsync.bytes.literal", role));
                Assert.Equal(result.CopiedBytes, Sum(seen, "jsync.bytes.reused", role));
                Assert.Equal(result.SummaryChunks, Sum(seen, "jsync.chunks.summarized", role));
                Assert.Equal(result.EntriesScanned, Sum(seen, "jsync.entries.scanned", role));
                Assert.Single(seen, m => m.Instrument == "jsync.sync.duration" && m.Tag("jsync.role") == role);
            }
            Assert.Equal(2, result.FilesTransferred);
            // Most of the big file was reused; only the chunks around the edit and the new file travelled.
            Assert.InRange(Sum(seen, "jsync.bytes.literal", "taker"), 5, 500_000);
            Assert.InRange(Sum(seen, "jsync.bytes.reused", "taker"), 1_500_000, 2_000_000);
        }
    }

    [Fact]
    public async Task A_sync_that_fails_is_counted_as_failed_with_nothing_transferred()
    {
        using var target = new TempDir();
        var seen = new ConcurrentQueue<Measurement>();
        using (MeterListener listener = MeterCapture.Listen(seen, JSyncDiagnostics.MeterName))
        {
            string missing = Path.Join(target.Path, "no-such-source");
            await Assert.ThrowsAnyAsync<Exception>(() => LocalSync.PushAsync(missing, target.Path, new SyncOptions()));
        }

        Assert.Contains(seen, m => m.Instrument == "jsync.syncs" && m.Tag("jsync.outcome") != "ok");
        Assert.DoesNotContain(seen, m => m.Instrument == "jsync.syncs" && m.Tag("jsync.outcome") == "ok"
            && m.Tag("jsync.role") == "giver");
        Assert.DoesNotContain(seen, m => m.Instrument == "jsync.files.transferred");
    }
}
