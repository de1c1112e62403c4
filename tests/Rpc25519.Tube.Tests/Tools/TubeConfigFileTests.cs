using Rpc25519.ConfigFiles;
using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tube.Tests.Tools;

/// <summary>The (tubeConfig …) and JSON config readers: the fields, the mapping onto TubeReplicaOptions, and errors
/// that name the field and line.</summary>
public sealed class TubeConfigFileTests
{
    private const string Sample = """
        (tubeConfig
                ClusterID: "test-cluster",
                   MyName: "node_1",   // this node
                Node2Addr: {"node_0": "127.0.0.1:7000", "node_1": "127.0.0.1:7001", "node_2": "127.0.0.1:7002"},
             HeartbeatDur: (dur "50ms"),
           MinElectionDur: (dur "500ms"),
          ClockDriftBound: (dur "20ms"),
        InitialLeaderName: "node_0",
        CompactionThresholdBytes: 1048576,
          NoLogCompaction: true,
                   RpcCfg: (rpc25519_Config
                       TCPonly_no_TLS: true,
                    ServerKeyPairName: "tube"
                   )
        )
        """;

    [Fact]
    public void SexpSampleMapsOntoReplicaOptions()
    {
        TubeConfig config = TubeConfigFile.Parse(Sample);
        Assert.Equal("test-cluster", config.ClusterID);
        Assert.Equal("node_1", config.MyName);
        Assert.Equal(3, config.Node2Addr.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.HeartbeatDur);
        Assert.Equal(1048576, config.CompactionThresholdBytes);
        Assert.Equal(TransportKind.Tcp, config.RpcCfg.Transport);
        Assert.Equal("tube", config.RpcCfg.Tls.ServerKeyPairName);

        TubeReplicaOptions options = config.ToReplicaOptions();
        Assert.Equal(TubeConfig.NodeIdOf("node_1"), options.NodeId);
        Assert.Equal("127.0.0.1:7001", options.Members[options.NodeId]);
        Assert.Equal("127.0.0.1:7001", options.Rpc.ListenAddress);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.TickInterval);
        Assert.Equal(10, options.ElectionTimeoutTicks);
        Assert.Equal(1, options.LeaseDriftTicks);
        Assert.Equal(0, options.SnapshotEveryEntries);
        Assert.Equal(config.ClockDriftBound, options.CreateStateMachines().Options.LeaseClockDriftBound);
    }

    [Fact]
    public void InitialLeaderPortOnlyAddressesAndTheByteThresholdMapOntoReplicaOptions()
    {
        TubeConfig config = TubeConfigFile.Parse("""
            (tubeConfig ClusterID: "c" MyName: "b" InitialLeaderName: "a" CompactionThresholdBytes: 4096
                Node2Addr: {"a": ":7100", "b": "127.0.0.1:7101"})
            """);
        Assert.Equal("127.0.0.1:7100", config.AddressOf("a"));
        Assert.Throws<KeyNotFoundException>(() => config.AddressOf("zed"));
        TubeReplicaOptions options = config.ToReplicaOptions();
        Assert.Equal("127.0.0.1:7100", options.Members[TubeConfig.NodeIdOf("a")]);
        Assert.Equal([TubeConfig.NodeIdOf("a")], options.InitialVoters);
        Assert.Equal(4096, options.SnapshotEveryBytes);
        Assert.Equal(0, options.SnapshotEveryEntries);

        config.InitialLeaderName = "";
        config.NoLogCompaction = true;
        options = config.ToReplicaOptions();
        Assert.Empty(options.InitialVoters); // every Node2Addr node votes in a new cluster
        Assert.Equal(0, options.SnapshotEveryBytes);
    }

    [Fact]
    public void TheReplicaKeyIsReadFromItsFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "tube-replica-key-" + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
            File.WriteAllBytes(path, key);
            TubeConfig config = TubeConfigFile.Parse($$"""
                (tubeConfig ClusterID: "c" MyName: "a" ReplicaKeyPath: "{{path}}" Node2Addr: {"a": ":7100"})
                """);
            Assert.Equal(path, config.ReplicaKeyPath);
            Assert.Equal(key, config.ToReplicaOptions().ReplicaKey);

            config.ReplicaKeyPath = "";
            Assert.Null(config.ToReplicaOptions().ReplicaKey);
            config.ReplicaKeyPath = path + ".missing";
            Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => config.ToReplicaOptions()).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HashMapsAndJsonAreRead()
    {
        TubeConfig hash = TubeConfigFile.Parse("""
            (tubeConfig ClusterID: "c" MyName: "a" Node2Addr: (hash "a":"127.0.0.1:1" "b":"127.0.0.1:2"))
            """);
        Assert.Equal("127.0.0.1:2", hash.Node2Addr["b"]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), hash.HeartbeatDur);

        TubeConfig json = TubeConfigFile.Parse("""
            {
              "ClusterID": "c", "MyName": "b",
              "Node2Addr": {"a": "127.0.0.1:1", "b": "127.0.0.1:2"},
              "MinElectionDur": "2s",
              "RpcCfg": {"TCPonly_no_TLS": true}
            }
            """);
        Assert.Equal(TimeSpan.FromSeconds(2), json.MinElectionDur);
        Assert.Equal(TransportKind.Tcp, json.RpcCfg.Transport);
    }

    [Fact]
    public void DataDirDefaultsToTheStateHome()
    {
        TubeConfig config = TubeConfigFile.Parse(Sample);
        Assert.EndsWith(Path.Combine("tube", "test-cluster", "node_1"), config.ResolveDataDirectory());
        config.DataDir = "/tmp/x";
        Assert.Equal("/tmp/x", config.ResolveDataDirectory());
    }

    [Theory]
    [InlineData("Bogus: 1,", "Bogus", 2)]
    [InlineData("HeartbeatDur: (dur \"soon\"),", "HeartbeatDur", 2)]
    [InlineData("NoLogCompaction: maybe,", "NoLogCompaction", 2)]
    [InlineData("MinElectionDur: (dur \"20ms\"),", "MinElectionDur", 2)]
    [InlineData("ClockDriftBound: (dur \"2s\"),", "MinElectionDur", 5)]
    [InlineData("InitialLeaderName: \"zed\",", "InitialLeaderName", 2)]
    [InlineData("RpcCfg: (rpc25519_Config\nNoSuchRpcField: 1),", "NoSuchRpcField", 3)]
    [InlineData("ClusterID: \"again\",", "ClusterID", 3)]
    public void BadFieldsAreNamedWithTheirLine(string extra, string field, int line)
    {
        string text = "(tubeConfig\n" + extra + "\nClusterID: \"c\", MyName: \"a\",\nNode2Addr: {\"a\": \"127.0.0.1:1\"}\n)";
        var e = Assert.Throws<ConfigFileException>(() => TubeConfigFile.Parse(text));
        Assert.Equal(field, e.Field);
        Assert.Equal(line, e.Line);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void MissingOrUnknownMyNameIsRefused()
    {
        var missing = Assert.Throws<ConfigFileException>(() => TubeConfigFile.Parse(
            "(tubeConfig\nClusterID: \"c\"\nNode2Addr: {\"a\": \"127.0.0.1:1\"}\n)"));
        Assert.Equal("MyName", missing.Field);
        Assert.Equal(4, missing.Line);

        var unknown = Assert.Throws<ConfigFileException>(() => TubeConfigFile.Parse(
            "(tubeConfig\nClusterID: \"c\"\nMyName: \"b\"\nNode2Addr: {\"a\": \"127.0.0.1:1\"}\n)"));
        Assert.Equal("MyName", unknown.Field);
        Assert.Equal(3, unknown.Line);
        Assert.Contains("not a key of Node2Addr", unknown.Message);

        var json = Assert.Throws<ConfigFileException>(() => TubeConfigFile.Parse(
            "{\n\"ClusterID\": \"c\",\n\"MyName\": \"a\",\n\"Node2Addr\": {\"a\": \"127.0.0.1:1\"},\n\"HeartbeatDur\": 5\n}"));
        Assert.Equal("HeartbeatDur", json.Field);
        Assert.Equal(5, json.Line);
    }
}
