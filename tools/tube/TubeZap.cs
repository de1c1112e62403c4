using System.CommandLine;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tools.Tube;

/// <summary>tube's <c>-zap</c>: before the replica starts, it forgets the membership (voters and shadows) stored in
/// its data directory, and starts with none instead of the config file's initial one. It then never campaigns and
/// adopts the first membership a leader sends it (any is newer than none). The log and data stay.</summary>
internal static class TubeZap
{
    public static Option<bool> Create() => new("-zap")
    {
        Description = "rescue: forget this node's stored membership (voters, shadows) and start with none: it will " +
            "not campaign or lead until a leader sends it a membership (after tubeadd NAME, or at once if the " +
            "leader still lists it). The log and data stay",
    };

    /// <summary>Writes the empty membership into the node's storage (the oldest stamp, so any other is newer) and
    /// returns what it replaced, for the output.</summary>
    public static async Task<string> ClearStoredAsync(TubeConfig config, CancellationToken cancellationToken)
    {
        string directory = config.ResolveDataDirectory();
        Directory.CreateDirectory(directory);
        await using FileRaftStorage storage = await FileRaftStorage.OpenAsync(
            new RaftStorageOptions { Directory = directory }, cancellationToken);
        Membership stored = storage.Recovered.Membership;
        storage.SaveState(null, Membership.Empty);
        await storage.FlushAsync(cancellationToken);
        return stored.Voters.Count + stored.Shadows.Count == 0
            ? "no stored membership"
            : $"stored membership v{stored.Version} ({stored.Voters.Count} voter(s), {stored.Shadows.Count} shadow(s))";
    }

    /// <summary>Makes the replica start with no membership instead of the config's initial one.</summary>
    public static void StartEmpty(TubeReplicaOptions options)
    {
        Action<RaftOptions>? before = options.ConfigureRaft;
        options.ConfigureRaft = raft =>
        {
            before?.Invoke(raft);
            raft.InitialMembership = Membership.Empty;
        };
    }
}
