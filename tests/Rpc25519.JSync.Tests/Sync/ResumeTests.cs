using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public class ResumeTests : SyncTestBase
{
    [Fact]
    public async Task An_interrupted_transfer_resumes_without_resending_what_arrived()
    {
        const int size = 6 << 20;
        Trees.Write(Source, "big.bin", Trees.RandomBytes(size, 60));
        Trees.Write(Source, "small.txt", Trees.RandomBytes(3000, 61));
        var (a, b) = InMemoryChannel.CreatePair();
        await Assert.ThrowsAnyAsync<JSyncException>(() =>
            LocalSync.RunPairAsync(a, new CuttingChannel(b, literalBytesBeforeCut: 2_500_000), SyncRole.Giver, Source, Dest, new SyncOptions()));

        Assert.False(File.Exists(Path.Join(Dest, "big.bin")));
        string partial = Assert.Single(Directory.GetFiles(Dest, ".big.bin.*.jsync-part"));
        long arrived = new FileInfo(partial).Length;
        Assert.InRange(arrived, 2_000_000, size - 1);

        SyncResult resumed = await Push(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Empty(Directory.GetFiles(Dest, "*.jsync-part"));
        Assert.True(resumed.LiteralBytes <= size - arrived + (2 * 65536) + 3000, $"resent {resumed.LiteralBytes} of {size} bytes after {arrived} arrived");
        Assert.True(resumed.CopiedBytes >= arrived - 65536);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Files_finished_before_a_cut_are_not_sent_again(bool push)
    {
        for (int i = 0; i < 10; i++)
        {
            Trees.Write(Source, $"f{i}.bin", Trees.RandomBytes(100_000, 70 + i));
        }
        var (a, b) = InMemoryChannel.CreatePair();
        await Assert.ThrowsAnyAsync<JSyncException>(() => push
            ? LocalSync.RunPairAsync(a, new CuttingChannel(b, literalBytesBeforeCut: 500_000), SyncRole.Giver, Source, Dest, new SyncOptions())
            : LocalSync.RunPairAsync(new CuttingChannel(a, literalBytesBeforeCut: 500_000), b, SyncRole.Taker, Dest, Source, new SyncOptions()));
        SyncResult resumed = push ? await Push(Source, Dest) : await Pull(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.True(resumed.LiteralBytes < 1_000_000 - 300_000, $"resent {resumed.LiteralBytes} bytes");
    }

    [Fact]
    public async Task A_single_file_resumes_from_its_partial_beside_the_target()
    {
        const int size = 3 << 20;
        string file = Trees.Write(Source, "one.bin", Trees.RandomBytes(size, 80));
        string target = Scratch("out/copy.bin");
        var (a, b) = InMemoryChannel.CreatePair();
        await Assert.ThrowsAnyAsync<JSyncException>(() =>
            LocalSync.RunPairAsync(a, new CuttingChannel(b, literalBytesBeforeCut: 1_200_000), SyncRole.Giver, file, target, new SyncOptions()));
        Assert.False(File.Exists(target));
        long arrived = new FileInfo(Assert.Single(Directory.GetFiles(Scratch("out"), ".copy.bin.*.jsync-part"))).Length;

        SyncResult resumed = await Push(file, target);
        Assert.True(Trees.FilesEqual(file, target));
        Assert.Empty(Directory.GetFiles(Scratch("out"), "*.jsync-part"));
        Assert.True(resumed.LiteralBytes <= size - arrived + (2 * 65536), $"resent {resumed.LiteralBytes} after {arrived} arrived");
    }
}
