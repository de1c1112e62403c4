using System.Text;
using System.Text.Json;
using Rpc25519.ConfigFiles;
using Rpc25519.Tube.Storage;
using static Rpc25519.ConfigFiles.SexpConfigFormat;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// Reads <see cref="TubeConfig"/> files: the original's s-expressions, <c>(tubeConfig Field: value, …)</c> with
/// durations as <c>(dur "200ms")</c>, maps as <c>{"name": "host:port", …}</c> or <c>(hash "name":"host:port" …)</c>
/// and the nested <c>RpcCfg: (rpc25519_Config …)</c>; or JSON, one object with the same field names (durations as
/// strings like <c>"200ms"</c>, <c>RpcCfg</c> as a nested object). Errors are <see cref="ConfigFileException"/>s that
/// name the line and the field.
/// </summary>
public static class TubeConfigFile
{
    /// <summary>The s-expression record name.</summary>
    public const string RecordName = "tubeConfig";

    private static readonly string[] FieldNames =
    [
        nameof(TubeConfig.ConfigName), nameof(TubeConfig.ClusterID), nameof(TubeConfig.MyName),
        nameof(TubeConfig.Node2Addr), nameof(TubeConfig.DataDir), nameof(TubeConfig.HeartbeatDur),
        nameof(TubeConfig.MinElectionDur), nameof(TubeConfig.ClockDriftBound), nameof(TubeConfig.InitialLeaderName),
        nameof(TubeConfig.CompactionThresholdBytes), nameof(TubeConfig.NoLogCompaction), nameof(TubeConfig.RpcCfg),
        nameof(TubeConfig.ReplicaKeyPath),
    ];

    /// <summary>Reads a config file, JSON if its first non-blank character is <c>{</c>, else s-expressions.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The checked config.</returns>
    /// <exception cref="ConfigFileException">The file is malformed or a setting is invalid.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static TubeConfig Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Reads config text, JSON if its first non-blank character is <c>{</c>, else s-expressions.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The checked config.</returns>
    /// <exception cref="ConfigFileException">The text is malformed or a setting is invalid.</exception>
    public static TubeConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimStart().StartsWith('{') ? ParseJson(text) : ParseSexp(text);
    }

    /// <summary>Reads <c>(tubeConfig …)</c> text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The checked config.</returns>
    /// <exception cref="ConfigFileException">The text is malformed or a setting is invalid.</exception>
    public static TubeConfig ParseSexp(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lexer = new Lexer(text);
        var config = new TubeConfig();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        lexer.Expect("(");
        ExpectRecordName(lexer, RecordName);
        while (NextFieldName(lexer) is { } key)
        {
            string name = CheckName(key.Text, key.Line, lines);
            lexer.Expect(":");
            Token value = lexer.Next();
            switch (name)
            {
                case nameof(TubeConfig.Node2Addr):
                    config.Node2Addr = ReadMap(lexer, value, name);
                    break;
                case nameof(TubeConfig.RpcCfg):
                    if (!(value.Kind == TokenKind.Punct && value.Text == "("))
                    {
                        throw new ConfigFileException($"field '{name}' needs a nested (rpc25519_Config …) record.",
                            value.Line, name);
                    }

                    config.RpcCfg = ReadRecord(lexer);
                    Finish(config.RpcCfg, value.Line);
                    break;
                default:
                    SetScalar(config, name, SexpScalar(lexer, value, name), value.Line);
                    break;
            }

            if (lexer.PeekPunct(","))
            {
                lexer.Next();
            }
        }

        Token end = lexer.Next();
        if (end.Kind != TokenKind.End)
        {
            throw new ConfigFileException($"unexpected '{end.Text}' after the closing ')'.", end.Line);
        }

        Check(config, lines, end.Line);
        return config;
    }

    /// <summary>Reads a JSON config: one object with the <c>(tubeConfig …)</c> field names.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The checked config.</returns>
    /// <exception cref="ConfigFileException">The text is malformed or a setting is invalid.</exception>
    public static TubeConfig ParseJson(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        });
        var config = new TubeConfig();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        int lastLine = 1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ConfigFileException("a JSON tube config is one object: { \"Field\": value, ... }.", 1);
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                int line = JsonConfigFormat.LineOf(utf8, reader.TokenStartIndex);
                string name = CheckName(reader.GetString()!, line, lines);
                reader.Read();
                line = JsonConfigFormat.LineOf(utf8, reader.TokenStartIndex);
                switch (name)
                {
                    case nameof(TubeConfig.Node2Addr):
                        config.Node2Addr = JsonMap(ref reader, name, line);
                        break;
                    case nameof(TubeConfig.RpcCfg):
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new ConfigFileException($"field '{name}' needs a nested object.", line, name);
                        }

                        int start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        string inner = Encoding.UTF8.GetString(utf8, start, (int)reader.TokenStartIndex + 1 - start);
                        // Leading newlines keep the nested reader's line numbers those of this file.
                        config.RpcCfg = RpcOptions.ParseJson(new string('\n', line - 1) + inner);
                        break;
                    default:
                        string value = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString()!,
                            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                            JsonTokenType.True => "true",
                            JsonTokenType.False => "false",
                            _ => throw new ConfigFileException($"field '{name}' needs a {Expected(name)}.", line, name),
                        };
                        SetScalar(config, name, value, line);
                        break;
                }
            }

            lastLine = JsonConfigFormat.LineOf(utf8, reader.TokenStartIndex);
            if (reader.Read())
            {
                throw new ConfigFileException("unexpected text after the closing '}'.", JsonConfigFormat.LineOf(utf8, reader.TokenStartIndex));
            }
        }
        catch (JsonException e)
        {
            throw new ConfigFileException($"not valid JSON: {e.Message}", (int)(e.LineNumber ?? 0) + 1, null, e);
        }

        Check(config, lines, lastLine);
        return config;
    }

    /// <summary>Opens the node's storage in <see cref="TubeConfig.ResolveDataDirectory"/> (creating it) and starts a
    /// replica with <see cref="TubeConfig.ToReplicaOptions"/>.</summary>
    /// <param name="config">The config.</param>
    /// <param name="configure">Changes the replica options before the start (e.g. the RPC logger), or null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running replica; dispose it to stop.</returns>
    /// <exception cref="StorageLockedException">Another process runs a replica on the same data directory.</exception>
    public static async Task<TubeReplica> StartReplicaAsync(TubeConfig config, Action<TubeReplicaOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        TubeReplicaOptions options = config.ToReplicaOptions();
        configure?.Invoke(options);
        string directory = config.ResolveDataDirectory();
        Directory.CreateDirectory(directory);
        options.Storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions
        {
            Directory = directory, LoggerFactory = options.Rpc.LoggerFactory,
        }, cancellationToken);
        // A failed start disposes the storage itself.
        return await TubeReplica.StartAsync(options, cancellationToken);
    }

    private static string CheckName(string name, int line, Dictionary<string, int> lines)
    {
        if (!FieldNames.Contains(name, StringComparer.Ordinal))
        {
            throw new ConfigFileException(
                $"unknown field '{name}' in {RecordName}; known fields: {string.Join(", ", FieldNames)}.", line, name);
        }

        if (!lines.TryAdd(name, line))
        {
            throw new ConfigFileException($"field '{name}' appears twice.", line, name);
        }

        return name;
    }

    private static string SexpScalar(Lexer lexer, Token value, string name)
    {
        if (value.Kind == TokenKind.Punct && value.Text == "(")
        {
            Token dur = lexer.Next();
            Token literal = lexer.Next();
            if (dur.Text != "dur" || literal.Kind != TokenKind.String || !IsDuration(name))
            {
                throw new ConfigFileException($"field '{name}' needs a {Expected(name)}.", value.Line, name);
            }

            lexer.Expect(")");
            return literal.Text;
        }

        if (value.Kind is TokenKind.String or TokenKind.Word)
        {
            return value.Text;
        }

        throw new ConfigFileException($"field '{name}' needs a {Expected(name)}, not '{value.Text}'.", value.Line, name);
    }

    private static void SetScalar(TubeConfig config, string name, string text, int line)
    {
        try
        {
            switch (name)
            {
                case nameof(TubeConfig.ConfigName): config.ConfigName = text; break;
                case nameof(TubeConfig.ClusterID): config.ClusterID = text; break;
                case nameof(TubeConfig.MyName): config.MyName = text; break;
                case nameof(TubeConfig.DataDir): config.DataDir = text; break;
                case nameof(TubeConfig.InitialLeaderName): config.InitialLeaderName = text; break;
                case nameof(TubeConfig.ReplicaKeyPath): config.ReplicaKeyPath = text; break;
                case nameof(TubeConfig.HeartbeatDur): config.HeartbeatDur = GoDuration.Parse(text); break;
                case nameof(TubeConfig.MinElectionDur): config.MinElectionDur = GoDuration.Parse(text); break;
                case nameof(TubeConfig.ClockDriftBound): config.ClockDriftBound = GoDuration.Parse(text); break;
                case nameof(TubeConfig.CompactionThresholdBytes):
                    config.CompactionThresholdBytes = long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default: config.NoLogCompaction = bool.Parse(text); break;
            }
        }
        catch (FormatException e)
        {
            throw new ConfigFileException($"field '{name}' needs a {Expected(name)}, not '{text}'.", line, name, e);
        }
        catch (OverflowException e)
        {
            throw new ConfigFileException($"field '{name}': '{text}' is out of range.", line, name, e);
        }
    }

    private static SortedDictionary<string, string> ReadMap(Lexer lexer, Token open, string name)
    {
        string close;
        if (open.Kind == TokenKind.Punct && open.Text == "{")
        {
            close = "}";
        }
        else if (open.Kind == TokenKind.Punct && open.Text == "(" && lexer.Next() is { Text: "hash", Kind: TokenKind.Word })
        {
            close = ")";
        }
        else
        {
            throw new ConfigFileException($"field '{name}' needs a {Expected(name)}.", open.Line, name);
        }

        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            Token key = lexer.Next();
            if (key.Kind == TokenKind.Punct && key.Text == close)
            {
                return map;
            }

            if (key.Kind == TokenKind.Punct && key.Text == "," && map.Count > 0)
            {
                continue;
            }

            if (key.Kind != TokenKind.String)
            {
                throw new ConfigFileException($"field '{name}' needs a {Expected(name)}; found '{key.Text}'.", key.Line, name);
            }

            lexer.Expect(":");
            Token address = lexer.Next();
            if (address.Kind != TokenKind.String)
            {
                throw new ConfigFileException($"field '{name}': the address of '{key.Text}' must be a quoted \"host:port\".",
                    address.Line, name);
            }

            if (!map.TryAdd(key.Text, address.Text))
            {
                throw new ConfigFileException($"field '{name}': node '{key.Text}' appears twice.", key.Line, name);
            }
        }
    }

    private static SortedDictionary<string, string> JsonMap(ref Utf8JsonReader reader, string name, int line)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ConfigFileException($"field '{name}' needs an object {{\"name\": \"host:port\", …}}.", line, name);
        }

        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string node = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new ConfigFileException($"field '{name}': the address of '{node}' must be a string \"host:port\".",
                    line, name);
            }

            if (!map.TryAdd(node, reader.GetString()!))
            {
                throw new ConfigFileException($"field '{name}': node '{node}' appears twice.", line, name);
            }
        }

        return map;
    }

    private static void Check(TubeConfig config, Dictionary<string, int> lines, int endLine)
    {
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            string field = e.ParamName ?? "";
            string reason = e.Message.Replace($" (Parameter '{field}')", "", StringComparison.Ordinal);
            throw new ConfigFileException(reason, lines.GetValueOrDefault(field, endLine), field, e);
        }
    }

    private static bool IsDuration(string name) => name is nameof(TubeConfig.HeartbeatDur)
        or nameof(TubeConfig.MinElectionDur) or nameof(TubeConfig.ClockDriftBound);

    private static string Expected(string name) => name switch
    {
        _ when IsDuration(name) => "duration like (dur \"200ms\") or \"200ms\"",
        nameof(TubeConfig.Node2Addr) => "map like {\"a\": \"127.0.0.1:7001\", \"b\": \"127.0.0.1:7002\"}",
        nameof(TubeConfig.CompactionThresholdBytes) => "whole number of bytes",
        nameof(TubeConfig.NoLogCompaction) => "true or false",
        nameof(TubeConfig.RpcCfg) => "nested (rpc25519_Config …) record",
        _ => "quoted string",
    };
}
