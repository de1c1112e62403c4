using System.Globalization;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// The <c>replica CONFIG</c> mode: one Tube replica in this process, from a <c>tube</c> config file, on
/// <see cref="FileRaftStorage"/> in the config's data directory (fsync on). It talks to its parent over standard
/// input and output: the first line it writes is its port; each <c>stats</c> line it reads is answered with
/// "SYNCS BATCHES" (the storage's log fsyncs and group-commit batches so far), each <c>trace</c> line with the
/// <see cref="StageTimes"/> since the last one; end of input (the parent closed it or
/// died) stops the replica and the process.
/// </summary>
internal static class ReplicaChild
{
    public const string Mode = "replica";

    /// <summary>Environment variable overriding <see cref="RaftStorageOptions.PreallocateBytes"/> in the replicas (the
    /// children inherit the benchmark's environment).</summary>
    public const string PreallocateVariable = "TUBE_BENCH_PREALLOCATE";

    /// <summary>Environment variable that, set to 1, gives the replicas a replica key
    /// (<see cref="TubeReplicaOptions.ReplicaKey"/>), to measure what tagging every Raft message costs.</summary>
    public const string ReplicaKeyVariable = "TUBE_BENCH_REPLICA_KEY";

    public static async Task<int> RunAsync(string configPath)
    {
        TubeConfig config = TubeConfigFile.Load(configPath);
        TubeReplicaOptions options = config.ToReplicaOptions();
        string directory = config.ResolveDataDirectory();
        Directory.CreateDirectory(directory);
        using var stages = new StageTimes();
        var storageOptions = new RaftStorageOptions { Directory = directory };
        if (long.TryParse(Environment.GetEnvironmentVariable(PreallocateVariable), NumberStyles.Integer,
                CultureInfo.InvariantCulture, out long preallocate))
        {
            storageOptions.PreallocateBytes = preallocate; // 0: the appending fsync of before, for A/B runs
        }

        FileRaftStorage storage = await FileRaftStorage.OpenAsync(storageOptions);
        options.Storage = storage;
        if (Environment.GetEnvironmentVariable(ReplicaKeyVariable) == "1")
        {
            options.ReplicaKey = [.. Enumerable.Range(0, TubeReplicaOptions.MinReplicaKeyBytes).Select(i => (byte)i)];
        }

        await using TubeReplica replica = await TubeReplica.StartAsync(options);
        string address = config.Node2Addr[config.MyName];
        Console.Out.WriteLine(address[(address.LastIndexOf(':') + 1)..]);
        Console.Out.Flush();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "stats")
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{storage.SyncCount} {storage.BatchCount}"));
                Console.Out.Flush();
            }
            else if (line == "trace")
            {
                Console.Out.WriteLine(stages.Report());
                Console.Out.Flush();
            }
        }

        return 0;
    }
}
