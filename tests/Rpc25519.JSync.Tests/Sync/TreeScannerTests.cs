using System.Diagnostics;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public class TreeScannerTests : SyncTestBase
{
    [Fact]
    public void Entries_come_parents_first_siblings_in_ordinal_order()
    {
        Trees.Write(Source, "b/z.txt", [1]);
        Trees.Write(Source, "b/A.txt", [1]);
        Trees.Write(Source, "a.txt", [1]);
        Directory.CreateDirectory(Path.Join(Source, "a"));
        Trees.Write(Source, ".a.txt.1.jsync-part", [1]);
        ScanResult scan = new TreeScanner().Scan(Source);
        Assert.Equal(["", "a", "a.txt", "b", "b/A.txt", "b/z.txt"], scan.Entries.Select(e => e.Path));
        Assert.Equal([".a.txt.1.jsync-part"], scan.Partials["a.txt"]);
        Assert.Empty(new TreeScanner().Scan(Scratch("missing")).Entries);
    }

    [Fact]
    public async Task Fifos_are_skipped_never_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        Trees.Write(Source, "plain.txt", [1, 2]);
        using (Process mkfifo = Process.Start("mkfifo", [Path.Join(Source, "pipe")])!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        ScanResult scan = new TreeScanner().Scan(Source);
        Assert.Equal(["pipe"], scan.Skipped);
        Assert.DoesNotContain(scan.Entries, e => e.Path == "pipe");
        await Push(Source, Dest);
        Assert.True(File.Exists(Path.Join(Dest, "plain.txt")));
        Assert.False(File.Exists(Path.Join(Dest, "pipe")));
    }

    [Fact]
    public async Task A_file_that_vanishes_after_the_listing_is_reported_and_the_sync_goes_on()
    {
        Trees.Write(Source, "gone.txt", [1]);
        var (a, b) = InMemoryChannel.CreatePair();
        Task<SyncResult> giver = SyncSession.RespondAsync(b, Source);
        await a.SendAsync(new SyncRequest { InitiatorRole = SyncRole.Taker }, CancellationToken.None);
        Assert.IsType<TreeListing>(await a.ReceiveAsync(CancellationToken.None));
        File.Delete(Path.Join(Source, "gone.txt"));
        await a.SendAsync(new FileRequestBatch { Requests = [new FileRequest { FileId = 0, Path = "gone.txt" }], IsLast = true }, CancellationToken.None);
        Assert.Contains("could not be opened", Assert.IsType<FileError>(await a.ReceiveAsync(CancellationToken.None)).Message);
        await a.SendAsync(new SyncComplete(), CancellationToken.None);
        await giver;
    }
}
