using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tools.Tube;

/// <summary><c>tube -log</c>: checks the node's files read-only (snapshot hash, every record's CRCs and chain hash),
/// says so, then prints the persisted hard state, membership, snapshot and log. Exit 0 when the chain verifies, 1
/// when it is broken or the files cannot be read.</summary>
internal static class TubeLogPrinter
{
    public static async Task<int> PrintAsync(TubeConfig config, TextWriter stdout, TextWriter stderr,
        CancellationToken stop)
    {
        string directory = config.ResolveDataDirectory();
        if (!Directory.Exists(directory))
        {
            await stderr.WriteLineAsync($"tube: no data directory {directory}");
            return 1;
        }

        await stdout.WriteLineAsync($"tube: {config.MyName} data in {directory}");
        try
        {
            WalVerification verified = FileRaftStorage.Verify(directory);
            await stdout.WriteLineAsync($"chain: verified {verified.Records} records in {verified.Segments} " +
                $"segment(s), snapshot at index {verified.SnapshotIndex}" +
                (verified.TornTailBytes > 0 ? $"; a torn tail of {verified.TornTailBytes} bytes (an unfinished " +
                    "last write, dropped when the node opens)" : ""));
        }
        catch (StorageCorruptedException e)
        {
            await stdout.WriteLineAsync("chain: BROKEN");
            await stderr.WriteLineAsync($"tube: the stored log fails its checks: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"tube: cannot read {directory}: {e.Message}");
            return 1;
        }

        try
        {
            await using FileRaftStorage storage = await FileRaftStorage.OpenAsync(
                new RaftStorageOptions { Directory = directory }, stop);
            var state = storage.Recovered;
            await stdout.WriteLineAsync($"hard state: {state.HardState}");
            await stdout.WriteLineAsync($"membership: {state.Membership}");
            await stdout.WriteLineAsync(state.Snapshot is { } snapshot ? $"snapshot: {snapshot}" : "snapshot: none");
            await stdout.WriteLineAsync($"log: {state.Entries.Count} entries");
            foreach (var entry in state.Entries)
            {
                await stdout.WriteLineAsync($"  {entry}");
            }

            return 0;
        }
        catch (Exception e) when (e is StorageLockedException or StorageCorruptedException or IOException)
        {
            await stderr.WriteLineAsync($"tube: cannot read {directory}: {e.Message}");
            return 1;
        }
    }
}
