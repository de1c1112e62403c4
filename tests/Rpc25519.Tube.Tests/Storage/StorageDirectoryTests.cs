using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>The storage directory itself on the real disk: one opener at a time however the path is spelled or
/// however many open at once, a missing directory created with its parents, and a path that cannot be a directory
/// refused with an I/O error naming it.</summary>
public sealed class StorageDirectoryTests : IDisposable
{
    private readonly RealStorageDirectory dir = new("storage-dir");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task ConcurrentOpenersOfOneDirectoryGetOneStorageAndLockErrors()
    {
        var attempts = Enumerable.Range(0, 6).Select(i => OpenSpelledAsync(i)).ToArray();
        var outcomes = new List<FileRaftStorage>();
        int locked = 0;
        foreach (var attempt in attempts)
        {
            try
            {
                outcomes.Add(await attempt);
            }
            catch (StorageLockedException e)
            {
                Assert.Contains("LOCK", e.Message, StringComparison.Ordinal);
                locked++;
            }
        }

        Assert.Single(outcomes);
        Assert.Equal(5, locked);
        await outcomes[0].DisposeAsync();
        await using var reopened = await dir.OpenAsync();
    }

    [Fact]
    public async Task AMissingDirectoryIsCreatedWithItsParents()
    {
        string nested = Path.Combine(dir.Path, "a", "b");
        await using (var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = nested }))
        {
            storage.Append(Entries(1, 3));
            await storage.FlushAsync();
        }

        await using var reopened = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = nested });
        AssertEntries(Entries(1, 3), reopened.Recovered.Entries);
    }

    [Fact]
    public async Task APathThatIsAFileIsRefusedWithAnIOErrorNamingIt()
    {
        Directory.CreateDirectory(dir.Path);
        string file = Path.Combine(dir.Path, "not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        foreach (string path in new[] { file, Path.Combine(file, "below") })
        {
            var error = await Assert.ThrowsAnyAsync<IOException>(
                () => FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = path }));
            Assert.IsNotType<StorageLockedException>(error);
            Assert.Contains("not-a-directory", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>The same directory under six spellings: plain, trailing slash, a dot segment, and relative.</summary>
    private Task<FileRaftStorage> OpenSpelledAsync(int spelling)
    {
        string path = (spelling % 3) switch
        {
            0 => dir.Path,
            1 => dir.Path + Path.DirectorySeparatorChar,
            _ => Path.Combine(dir.Path, ".", "..", Path.GetFileName(dir.Path)),
        };
        if (spelling >= 3)
        {
            path = Path.GetRelativePath(Environment.CurrentDirectory, path);
        }

        return FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = path });
    }
}
