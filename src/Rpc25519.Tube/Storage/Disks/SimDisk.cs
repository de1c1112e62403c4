namespace Rpc25519.Tube.Storage.Disks;

/// <summary>
/// A simulated disk: a byte-level, in-memory <see cref="IStorageFileSystem"/> that models what fsync promises.
/// Each file keeps what the process wrote and, separately, what its last fsync made durable; each directory keeps
/// its current names and, separately, the names its last directory fsync made durable. <see cref="Crash"/> drops
/// everything not durable (optionally keeping a random prefix of each unsynced append: a torn write), and a seeded
/// rate of byte flips corrupts synced data. The real write-ahead log runs on it unchanged, so SimNet and unit tests
/// exercise the real format, recovery and group commit. All randomness comes from the <see cref="Random"/> passed
/// in. Thread-safe (one lock); continuations of <see cref="IStorageFile.SyncAsync"/> run on the caller's scheduler.
/// </summary>
public sealed class SimDisk : IStorageFileSystem
{
    private readonly object gate = new();
    private readonly Random random;

    /// <summary>Current name → file, per full path.</summary>
    private readonly SortedDictionary<string, SimInode> names = new(StringComparer.Ordinal);

    /// <summary>The names that survive a crash (as of the last directory fsync).</summary>
    private readonly SortedDictionary<string, SimInode> durableNames = new(StringComparer.Ordinal);

    /// <summary>Held lock files; a crash releases them.</summary>
    private readonly HashSet<string> locks = new(StringComparer.Ordinal);

    private readonly List<SimDiskFault> faults = [];

    /// <summary>Counts crashes; a handle opened before a crash is dead after it.</summary>
    private int generation;

    private long syncCount;

    /// <summary>Creates an empty disk.</summary>
    /// <param name="random">The seeded source for torn-write lengths and byte flips; the disk owns its use.</param>
    public SimDisk(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        this.random = random;
    }

    /// <summary>The chance (0 to 1) that an fsync of a file also flips one byte that an earlier fsync of that file
    /// made durable. Default 0.</summary>
    public double FlipProbabilityPerSync { get; set; }

    /// <summary>If true (the default), every fsync yields once to the caller's scheduler before it completes, as a
    /// real fsync takes time; writes queued meanwhile go into the next batch.</summary>
    public bool SyncYields { get; set; } = true;

    /// <summary>If set, the disk loses power after this many more changes (appends, truncations, file and
    /// directory fsyncs, creations, renames, deletions): that change and every later one throw
    /// <see cref="IOException"/> until <see cref="Crash"/> is called. Lets a test stop a process at every step of
    /// a protocol. Null (the default) means never.</summary>
    public int? ChangesUntilPowerLoss { get; set; }

    /// <summary>If true, a file fsync reports success without making anything durable: a drive whose write cache
    /// lies. No storage can survive that; tests use it as a planted bug their checks must catch. Default
    /// false.</summary>
    public bool LiesAboutSync { get; set; }

    /// <summary>How many file fsyncs completed since the disk was made.</summary>
    public long SyncCount => Interlocked.Read(ref syncCount);

    /// <summary>The bytes flipped so far, in order.</summary>
    public IReadOnlyList<SimDiskFault> Faults
    {
        get
        {
            lock (gate)
            {
                return faults.ToArray();
            }
        }
    }

    /// <summary>
    /// Simulates a power loss: every file returns to its last fsynced bytes, every directory to its last synced
    /// names, locks are released and open handles die.
    /// </summary>
    /// <param name="tearUnsyncedWrites">If true, each file keeps a random prefix (possibly empty or whole) of the
    /// bytes appended since its last fsync, as a write cut short by the power loss. Inside a durable reserved
    /// (preallocated) tail the cut falls on a 512-byte sector boundary, and zeros follow it.</param>
    public void Crash(bool tearUnsyncedWrites)
    {
        lock (gate)
        {
            generation++;
            ChangesUntilPowerLoss = null;
            locks.Clear();
            names.Clear();
            foreach (var (path, inode) in durableNames)
            {
                names[path] = inode;
            }

            foreach (var inode in names.Values.Distinct())
            {
                int unsynced = inode.UnsyncedAppendBytes();
                inode.Crash(tearUnsyncedWrites && unsynced > 0 ? inode.TornKeep(random.Next(unsynced + 1)) : 0);
            }
        }
    }

    /// <summary>
    /// Simulates the process being killed (SIGKILL) while the machine stays up: open handles die and locks are
    /// released, but every write, rename and deletion already made stays, synced or not, as the kernel keeps them.
    /// </summary>
    public void KillProcess()
    {
        lock (gate)
        {
            generation++;
            ChangesUntilPowerLoss = null;
            locks.Clear();
        }
    }

    /// <summary>Flips one random byte of durable data in a random file that <paramref name="filter"/> accepts, and
    /// records it in <see cref="Faults"/>.</summary>
    /// <param name="filter">Which full paths may be hit.</param>
    /// <returns>Where the flip landed, or null if no accepted file has durable bytes.</returns>
    public SimDiskFault? FlipDurableByte(Func<string, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (gate)
        {
            var candidates = names.Where(n => filter(n.Key) && n.Value.Durable.Length > 0).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            var (path, inode) = candidates[random.Next(candidates.Count)];
            return FlipLocked(path, inode, inode.Durable.Length);
        }
    }

    /// <summary>The durable bytes of a file (what a crash now would leave), for tests.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>A copy, or null if the name is not durable.</returns>
    public byte[]? ReadDurable(string path)
    {
        lock (gate)
        {
            return durableNames.TryGetValue(path, out var inode) ? inode.DurableVisible() : null;
        }
    }

    /// <summary>Replaces a file's contents, durably, as a test's stand-in for a hand-edited disk.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="bytes">The new contents (copied).</param>
    public void WriteDurable(string path, ReadOnlySpan<byte> bytes)
    {
        lock (gate)
        {
            var inode = new SimInode();
            inode.Append(bytes);
            inode.Sync();
            names[path] = inode;
            durableNames[path] = inode;
        }
    }

    /// <inheritdoc />
    public void CreateDirectory(string directory)
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        lock (gate)
        {
            return names.Keys.Where(p => InDirectory(p, directory)).Select(p => Path.GetFileName(p)).ToList();
        }
    }

    /// <inheritdoc />
    public byte[] ReadAllBytes(string path)
    {
        lock (gate)
        {
            return Find(path).Visible();
        }
    }

    /// <inheritdoc />
    public byte[] ReadRange(string path, long offset, int count)
    {
        lock (gate)
        {
            var bytes = Find(path).Visible().AsSpan();
            int start = (int)Math.Min(offset, bytes.Length);
            return bytes.Slice(start, Math.Min(count, bytes.Length - start)).ToArray();
        }
    }

    /// <inheritdoc />
    public IStorageFile OpenForAppend(string path, bool createNew)
    {
        lock (gate)
        {
            if (createNew)
            {
                ChangeLocked();
                if (names.ContainsKey(path))
                {
                    throw new IOException($"The simulated file '{path}' already exists.");
                }

                names[path] = new SimInode();
            }

            return new SimFile(this, Find(path), generation);
        }
    }

    /// <inheritdoc />
    public void Rename(string sourcePath, string targetPath)
    {
        lock (gate)
        {
            ChangeLocked();
            names[targetPath] = Find(sourcePath);
            names.Remove(sourcePath);
        }
    }

    /// <inheritdoc />
    public void Delete(string path)
    {
        lock (gate)
        {
            ChangeLocked();
            names.Remove(path);
        }
    }

    /// <inheritdoc />
    public async ValueTask SyncDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            ChangeLocked();
            foreach (var path in durableNames.Keys.Where(p => InDirectory(p, directory)).ToList())
            {
                durableNames.Remove(path);
            }

            foreach (var (path, inode) in names.Where(n => InDirectory(n.Key, directory)))
            {
                durableNames[path] = inode;
            }
        }

        if (SyncYields)
        {
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public IDisposable Lock(string path)
    {
        lock (gate)
        {
            if (!locks.Add(path))
            {
                throw new StorageLockedException(path, null);
            }

            return new SimLock(this, path, generation);
        }
    }

    /// <summary>Called by a handle: makes the file's bytes durable, maybe flips an older durable byte.</summary>
    internal async ValueTask SyncAsync(SimInode inode, int handleGeneration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (SyncYields)
        {
            await Task.Yield();
        }

        lock (gate)
        {
            CheckAlive(handleGeneration);
            ChangeLocked();
            int previouslyDurable = inode.Durable.Length;
            if (!LiesAboutSync)
            {
                inode.Sync();
            }

            Interlocked.Increment(ref syncCount);
            if (previouslyDurable > 0 && FlipProbabilityPerSync > 0 && random.NextDouble() < FlipProbabilityPerSync)
            {
                string path = names.First(n => ReferenceEquals(n.Value, inode)).Key;
                FlipLocked(path, inode, previouslyDurable);
            }
        }
    }

    /// <summary>Runs a handle's change under the disk's lock, if the handle survived every crash.</summary>
    internal void Mutate(int handleGeneration, Action change)
    {
        lock (gate)
        {
            CheckAlive(handleGeneration);
            ChangeLocked();
            change();
        }
    }

    internal int SizeOf(SimInode inode)
    {
        lock (gate)
        {
            return inode.Size;
        }
    }

    internal void Unlock(string path, int lockGeneration)
    {
        lock (gate)
        {
            if (lockGeneration == generation)
            {
                locks.Remove(path);
            }
        }
    }

    private static bool InDirectory(string path, string directory) =>
        string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(directory),
            StringComparison.Ordinal);

    private SimDiskFault FlipLocked(string path, SimInode inode, int durablePrefix)
    {
        int offset = random.Next(durablePrefix);
        inode.Flip(offset, (byte)random.Next(1, 256));
        var fault = new SimDiskFault(path, offset);
        faults.Add(fault);
        return fault;
    }

    private SimInode Find(string path) =>
        names.TryGetValue(path, out var inode)
            ? inode
            : throw new FileNotFoundException($"The simulated file '{path}' does not exist.", path);

    /// <summary>Counts one change against <see cref="ChangesUntilPowerLoss"/>; throws once power is lost.</summary>
    private void ChangeLocked()
    {
        if (ChangesUntilPowerLoss is { } left)
        {
            if (left <= 0)
            {
                throw new IOException("Simulated power loss: the disk takes no more changes until Crash().");
            }

            ChangesUntilPowerLoss = left - 1;
        }
    }

    private void CheckAlive(int handleGeneration)
    {
        if (handleGeneration != generation)
        {
            throw new IOException("The simulated disk crashed after this handle was opened; the handle is gone.");
        }
    }
}
