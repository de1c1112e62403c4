using Rpc25519.Compression;
using Rpc25519.ConfigFiles;

namespace Rpc25519.Tests.ConfigFiles;

public sealed class ConfigFileTests
{
    /// <summary>A config with every persisted field away from its default: the ones known here by hand, any others
    /// (added to the partial RpcOptions elsewhere) by a generated value of their kind.</summary>
    private static RpcOptions Unusual()
    {
        RpcOptions config = KnownUnusual();
        var defaults = new RpcOptions();
        foreach (ConfigField field in ConfigField.All.Where(f => f.IsDefault(config, defaults)))
        {
            string text = field.GetText(config);
            string changed = field.Kind switch
            {
                ConfigValueKind.Bool => text == "true" ? "false" : "true",
                ConfigValueKind.Integer => (long.Parse(text) + 7).ToString(),
                ConfigValueKind.Duration => GoDuration.Format(GoDuration.Parse(text) + TimeSpan.FromSeconds(3)),
                _ => text + "-x",
            };
            try
            {
                field.SetText(config, changed);
            }
            catch (FormatException)
            {
                // An enum or a validated string that rejects the generated value: left at its default.
            }
        }
        return config;
    }

    private static RpcOptions KnownUnusual() => new()
    {
        ListenAddress = "10.0.0.5:7000",
        ServerAddress = "host \"quoted\" \\ name:7000",
        Transport = TransportKind.Tcp,
        MaxFrameBytes = 123_456,
        DefaultCallTimeout = Timeout.InfiniteTimeSpan,
        ClientKeepAliveInterval = TimeSpan.FromSeconds(10),
        ServerKeepAliveInterval = TimeSpan.FromMilliseconds(1500),
        DeadConnectionTimeout = TimeSpan.FromMinutes(1.5),
        ConnectTimeout = TimeSpan.FromHours(2) + TimeSpan.FromTicks(7),
        SendQueueCapacity = 17,
        IncomingQueueCapacity = 3,
        ShutdownGracePeriod = TimeSpan.FromMicroseconds(250),
        Compression = CompressionAlgo.Zstd07,
        StreamWindowBytes = 5L * 1024 * 1024 * 1024,
    };

    private static void AssertSameSettings(RpcOptions expected, RpcOptions actual)
    {
        Assert.NotEmpty(ConfigField.All);
        foreach (ConfigField field in ConfigField.All)
        {
            Assert.Equal(field.GetText(expected), field.GetText(actual));
        }
    }

    [Fact]
    public void The_test_config_moves_every_persisted_field_off_its_default()
    {
        var defaults = new RpcOptions();
        RpcOptions unusual = KnownUnusual();
        string[] known =
        [
            "ListenAddress", "ServerAddress", "Transport", "MaxFrameBytes", "DefaultCallTimeout",
            "ClientKeepAliveInterval", "ServerKeepAliveInterval", "DeadConnectionTimeout", "ConnectTimeout", "SendQueueCapacity",
            "IncomingQueueCapacity", "ShutdownGracePeriod", "Compression", "StreamWindowBytes",
        ];
        Assert.All(known, name => Assert.False(ConfigField.Find(name)!.IsDefault(unusual, defaults), name));
    }

    [Fact]
    public void Sexp_round_trips_and_looks_like_the_original()
    {
        RpcOptions original = Unusual();
        string text = original.ToSexp();
        Assert.StartsWith("(rpc25519_Config\n", text);
        Assert.Contains("        ListenAddress: \"10.0.0.5:7000\",\n", text);
        Assert.Contains("ClientKeepAliveInterval: (dur \"10s\"),", text);
        Assert.Contains("DeadConnectionTimeout: (dur \"1m30s\"),", text);
        Assert.Contains("Compression: \"zstd:07\",", text);
        RpcOptions back = RpcOptions.ParseSexp(text);
        AssertSameSettings(original, back);
        Assert.Equal(text, back.ToSexp());
    }

    [Fact]
    public void Json_round_trips()
    {
        RpcOptions original = Unusual();
        string text = original.ToJson();
        Assert.Contains("\"DeadConnectionTimeout\": \"1m30s\"", text);
        RpcOptions back = RpcOptions.ParseJson(text);
        AssertSameSettings(original, back);
        Assert.Equal(text, back.ToJson());
    }

    [Fact]
    public void Files_round_trip_by_extension()
    {
        string dir = Directory.CreateTempSubdirectory("rpc25519-config").FullName;
        try
        {
            foreach (string name in new[] { "a.json", "a.zygo" })
            {
                string path = Path.Combine(dir, name);
                Unusual().Save(path);
                AssertSameSettings(Unusual(), RpcOptions.Load(path));
            }
            Assert.StartsWith("{", File.ReadAllText(Path.Combine(dir, "a.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Empty_record_and_short_rendering_give_defaults()
    {
        AssertSameSettings(new RpcOptions(), RpcOptions.ParseSexp("(rpc25519_Config )"));
        AssertSameSettings(new RpcOptions(), RpcOptions.ParseJson("{}"));
        Assert.Equal("(rpc25519_Config\n)\n", new RpcOptions().ToSexp(omitDefaults: true));
        var some = new RpcOptions { Compression = CompressionAlgo.Snappy };
        Assert.Equal("(rpc25519_Config\nCompression: \"snappy\",\n)\n", some.ToSexp(omitDefaults: true));
    }

    [Fact]
    public void A_misspelled_field_is_an_error_naming_it_and_its_line()
    {
        string sexp = "(rpc25519_Config\n  ListenAddress: \"x:1\",\n  ; a comment\n  CompresAlgo: \"s2\",\n)";
        var e = Assert.Throws<ConfigFileException>(() => RpcOptions.ParseSexp(sexp));
        Assert.Equal(4, e.Line);
        Assert.Equal("CompresAlgo", e.Field);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("unknown field 'CompresAlgo'", e.Message);

        string json = "{\n  \"ListenAddress\": \"x:1\",\n\n  \"MaxFrameByte\": 5\n}";
        var j = Assert.Throws<ConfigFileException>(() => RpcOptions.ParseJson(json));
        Assert.Equal(4, j.Line);
        Assert.Contains("unknown field 'MaxFrameByte'", j.Message);
    }

    [Fact]
    public void Bad_values_are_errors_naming_field_and_line()
    {
        var dur = Assert.Throws<ConfigFileException>(() =>
            RpcOptions.ParseSexp("(rpc25519_Config\nConnectTimeout: (dur \"9 parsecs\"),\n)"));
        Assert.Equal((2, "ConnectTimeout"), (dur.Line, dur.Field));
        var kind = Assert.Throws<ConfigFileException>(() => RpcOptions.ParseSexp("(rpc25519_Config\nTCPonly_no_TLS: \"yes\")"));
        Assert.Equal("TCPonly_no_TLS", kind.Field);
        var transport = Assert.Throws<ConfigFileException>(() => RpcOptions.ParseSexp("(rpc25519_Config\nTransport: \"Udp\")"));
        Assert.Contains("Tls, Tcp", transport.Message);
        var press = Assert.Throws<ConfigFileException>(() => RpcOptions.ParseJson("{\"Compression\": \"zip\"}"));
        Assert.Contains("zstd:11", press.Message);
        Assert.Throws<ConfigFileException>(() => RpcOptions.ParseSexp("(rpc25519_Config\nServerAddr: \"a\",\nServerAddr: \"b\")"));
        Assert.Throws<ConfigFileException>(() => RpcOptions.ParseJson("{\"ListenAddress\": "));
    }

    [Fact]
    public void The_originals_names_and_s2_are_accepted()
    {
        RpcOptions config = RpcOptions.ParseSexp("(rpc25519_Config\n TCPonly_no_TLS: true,\n CompressAlgo: \"s2\",\n" +
            " ClientSendKeepAlive: (dur \"10s\"),\n)");
        Assert.Equal(TransportKind.Tcp, config.Transport);
        Assert.Equal(CompressionAlgo.Snappy, config.Compression);
        Assert.Equal(TimeSpan.FromSeconds(10), config.ClientKeepAliveInterval);
    }

    /// <summary>The example file of the original's documentation (spec §6.3), every field as the original writes it.</summary>
    private const string OriginalFile = """
        (rpc25519_Config
            SimnetGOMAXPROCS: 0,
         LimitedServiceNames: ["svcA", "svcB"],
           LimitedServiceMax: [2, 0],
               QuietTestMode: false,
                  ServerAddr: "10.0.0.5:7000",
              ClientHostPort: "",
        ClientDialToHostPort: "10.0.0.5:7001",
              TCPonly_no_TLS: false,
                     UseQUIC: false,
             NoSharePortQUIC: false,
                    CertPath: "/etc/certs",
              SkipVerifyKeys: true,
           ClientKeyPairName: "alice",
           ServerKeyPairName: "node7",
            PreSharedKeyPath: "/etc/psk",
              ConnectTimeout: (dur "5s"),
         ServerSendKeepAlive: (dur "0s"),
         ClientSendKeepAlive: (dur "10s"),
                CompressAlgo: "s2",
              CompressionOff: false,
         HTTPConnectRequired: false,
        ServerAutoCreateClientsToDialOtherServers: true,
                   UseSimNet: false,
        )
        """;

    [Fact]
    public void A_config_file_of_the_original_loads_into_the_new_sections()
    {
        RpcOptions config = RpcOptions.ParseSexp(OriginalFile);
        Assert.Equal("10.0.0.5:7000", config.ListenAddress);
        Assert.Equal("10.0.0.5:7001", config.ServerAddress);
        Assert.Equal(TransportKind.Tls, config.Transport);
        Assert.Equal("/etc/certs", config.Tls.CertPath);
        Assert.True(config.Tls.SkipVerifyKeys);
        Assert.Equal(("alice", "node7"), (config.Tls.ClientKeyPairName, config.Tls.ServerKeyPairName));
        Assert.Equal("/etc/psk", config.PreSharedKey.Path);
        Assert.Equal(TimeSpan.FromSeconds(5), config.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), config.ClientKeepAliveInterval);
        Assert.Equal(CompressionAlgo.Snappy, config.Compression);
        Assert.Equal(new Dictionary<string, int> { ["svcA"] = 2, ["svcB"] = 0 }, config.Peers.ServiceLimits);
    }

    [Fact]
    public void The_originals_lists_load_from_json_too()
    {
        RpcOptions config = RpcOptions.ParseJson("""{ "LimitedServiceMax": [3], "LimitedServiceNames": ["svc"] }""");
        Assert.Equal(new Dictionary<string, int> { ["svc"] = 3 }, config.Peers.ServiceLimits);
    }

    [Theory]
    [InlineData("UseQUIC: true", "UseQUIC")]
    [InlineData("HTTPConnectRequired: true", "HTTPConnectRequired")]
    [InlineData("LimitedServiceNames: [\"a\", \"b\"],\n LimitedServiceMax: [1]", "one maximum per name")]
    [InlineData("LimitedServiceNames: [\"a\"]", "must be given together")]
    [InlineData("LimitedServiceMax: [-1],\n LimitedServiceNames: [\"a\"]", "positive whole number")]
    [InlineData("LimitedServiceNames: [1]", "list of quoted strings")]
    public void Original_settings_this_build_cannot_honour_are_clear_errors(string fields, string expected)
    {
        var error = Assert.Throws<ConfigFileException>(() => RpcOptions.ParseSexp($"(rpc25519_Config\n {fields},\n)"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s", 0L)]
    [InlineData("9s", 90_000_000L)]
    [InlineData("1m30s", 900_000_000L)]
    [InlineData("1h0m0s", 36_000_000_000L)]
    [InlineData("250ms", 2_500_000L)]
    [InlineData("1.5ms", 15_000L)]
    [InlineData("2us", 20L)]
    [InlineData("100ns", 1L)]
    [InlineData("-1ms", -10_000L)]
    [InlineData("2h3m4.5s", 73_845_000_000L)]
    public void Go_durations_format_and_parse(string text, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), GoDuration.Parse(text));
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromTicks(ticks)));
    }
}
