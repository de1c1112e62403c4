using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>FileRaftStorage.Verify (what <c>tube -log</c> reports): it checks real files read-only, counts what
/// verified, reports a torn tail without dropping it, and names the file and offset of a broken record.</summary>
public sealed class VerifyTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "tube-verify-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ACleanLogVerifiesAndATornTailIsReportedButKept()
    {
        await WriteAsync(batches: 3);
        WalVerification clean = FileRaftStorage.Verify(directory);
        Assert.Equal(1, clean.Segments);
        Assert.Equal(4, clean.Records); // the segment header and three entries records
        Assert.Equal(0, clean.TornTailBytes);

        string segment = Directory.GetFiles(directory, "*.wal").Single();
        long length = new FileInfo(segment).Length;
        await File.AppendAllTextAsync(segment, "\u0001\u0002\u0003"); // a record header cut short
        WalVerification torn = FileRaftStorage.Verify(directory);
        Assert.Equal(3, torn.TornTailBytes);
        Assert.Equal(length + 3, new FileInfo(segment).Length); // read-only: nothing truncated
    }

    [Fact]
    public async Task AFlippedByteBeforeTheTailIsNamedWithFileAndOffset()
    {
        await WriteAsync(batches: 3);
        string segment = Directory.GetFiles(directory, "*.wal").Single();
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(segment, bytes);
        var error = Assert.Throws<StorageCorruptedException>(() => FileRaftStorage.Verify(directory));
        Assert.Contains(Path.GetFileName(segment), error.Message);
    }

    [Fact]
    public void ARecordLimitOutsideTheOptionsRangeIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FileRaftStorage.Verify(directory, recordBytesMax: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FileRaftStorage.Verify(directory, long.MaxValue));
    }

    private async Task WriteAsync(int batches)
    {
        await using var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = directory });
        for (int i = 0; i < batches; i++)
        {
            storage.Append([StorageKit.Entry(i + 1)]);
            await storage.FlushAsync();
        }
    }
}
