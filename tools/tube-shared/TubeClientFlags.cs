using System.CommandLine;
using Rpc25519.ConfigFiles;
using Rpc25519.Security;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tools;

/// <summary>
/// How the Tube client tools (tup, tubels, tubeadd, tuberm) find the cluster, the same flags in each: <c>-config
/// FILE</c> (any node's tube config: its Node2Addr and RpcCfg) or <c>-s host:port,…</c>, then <c>-c NAME</c>,
/// <c>-certs</c>, <c>-k</c>, <c>-tcp</c>, <c>-skip-verify</c> and <c>-timeout</c>. Without -config and -s the file in
/// $TUBE_CONFIG is read, then ~/.config/tube/tup.default.config. Linked into each tool.
/// </summary>
internal sealed class TubeClientFlags
{
    /// <summary>The environment variable naming the default config file.</summary>
    public const string ConfigVariable = "TUBE_CONFIG";

    public Option<string?> Config { get; } = new("-config", "--config")
    {
        Description = $"a node's tube config file (Node2Addr and RpcCfg are used); default ${ConfigVariable}, then " +
            "~/.config/tube/tup.default.config",
    };

    public Option<string?> Servers { get; } = new("-s", "--servers")
    {
        Description = "member addresses host:port[,host:port…] instead of a config file",
    };

    public Option<string?> Contact { get; } = new("-c", "--contact")
    {
        Description = "the node (name from the config) to contact first",
    };

    public Option<string?> Certs { get; } = new("-certs", "--certs")
    {
        Description = "certificate directory (default: the config's, else selfy's)",
    };

    public Option<string?> KeyName { get; } = new("-k", "--key")
    {
        Description = "client key pair name (default: the config's ClientKeyPairName, else tube)",
    };

    public Option<bool> Tcp { get; } = new("-tcp", "--tcp") { Description = "plain TCP, no TLS (trusted networks only)" };

    public Option<bool> SkipVerify { get; } = new("-skip-verify", "--skip-verify")
    {
        Description = "accept any valid Ed25519 server",
    };

    public Option<string> Timeout { get; } = new("-timeout", "--timeout")
    {
        Description = "give up on an operation after this long, e.g. 10s or 500ms",
        DefaultValueFactory = _ => "10s",
    };

    public IEnumerable<Option> All => [Config, Servers, Contact, Certs, KeyName, Tcp, SkipVerify, Timeout];

    /// <summary>Adds every flag to <paramref name="command"/> (and, when <paramref name="recursive"/>, to its
    /// subcommands).</summary>
    public void AddTo(Command command, bool recursive = false)
    {
        foreach (Option option in All)
        {
            option.Recursive = recursive;
            command.Options.Add(option);
        }
    }

    /// <summary>The cluster the parsed flags name.</summary>
    /// <exception cref="UsageException">The flags or the config file are wrong.</exception>
    public TubeTarget Resolve(ParseResult parsed)
    {
        TimeSpan timeout = Durations.Parse(parsed.GetValue(Timeout)!, "-timeout");
        TubeConfig? config = null;
        RpcOptions rpc;
        List<string> members;
        if (parsed.GetValue(Servers) is { } servers)
        {
            members = [.. servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(a => a.StartsWith(':') ? "127.0.0.1" + a : a)];
            if (members.Count == 0 || members.Any(a => !a.Contains(':', StringComparison.Ordinal)))
            {
                throw new UsageException("-s needs host:port addresses separated by commas, e.g. -s 127.0.0.1:7000");
            }

            rpc = new RpcOptions { Tls = { ClientKeyPairName = "tube" } };
        }
        else
        {
            string path = ConfigPath(parsed);
            try
            {
                config = TubeConfigFile.Load(path);
            }
            catch (ConfigFileException e)
            {
                throw new UsageException($"{path}: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the config {path}: {e.Message}");
            }

            members = [.. config.Node2Addr.Keys.Select(config.AddressOf)];
            rpc = config.RpcCfg.Clone();
            if (parsed.GetValue(Contact) is { } contact)
            {
                if (!config.Node2Addr.ContainsKey(contact))
                {
                    throw new UsageException($"-c {contact}: no such node in {path}; known: " +
                        string.Join(", ", config.Node2Addr.Keys));
                }

                string first = config.AddressOf(contact);
                members.Remove(first);
                members.Insert(0, first);
            }
        }

        ApplyTls(parsed, rpc);
        var options = new TubeClientOptions
        {
            Members = members, Rpc = rpc, OperationTimeout = timeout,
            AttemptTimeout = timeout < TimeSpan.FromSeconds(2) ? timeout : TimeSpan.FromSeconds(2),
        };
        return new TubeTarget(options, config);
    }

    private void ApplyTls(ParseResult parsed, RpcOptions rpc)
    {
        if (parsed.GetValue(Tcp))
        {
            rpc.Transport = TransportKind.Tcp;
        }

        if (parsed.GetValue(Certs) is { } certs)
        {
            rpc.Tls.CertPath = certs;
        }

        if (parsed.GetValue(KeyName) is { } key)
        {
            rpc.Tls.ClientKeyPairName = key;
        }

        if (parsed.GetValue(SkipVerify))
        {
            rpc.Tls.SkipVerifyKeys = true;
        }

        rpc.Tls.PassphraseProvider ??= Passphrase.ConsolePrompt;
    }

    private string ConfigPath(ParseResult parsed)
    {
        if (parsed.GetValue(Config) is { } path)
        {
            return path;
        }

        if (Environment.GetEnvironmentVariable(ConfigVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        string? home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }

        string fallback = Path.Combine(home, "tube", "tup.default.config");
        return File.Exists(fallback)
            ? fallback
            : throw new UsageException($"no cluster given: pass -config FILE (any node's tube config) or -s " +
                $"host:port[,host:port…], or set {ConfigVariable} (tube-local up prints the line to use)");
    }
}
