using System.Text;
using System.Text.Json;

namespace Rpc25519.ConfigFiles;

/// <summary>The JSON config style: one object of <c>"Field": value</c>; durations as Go-style strings (<c>"9s"</c>),
/// enums by name.</summary>
internal static class JsonConfigFormat
{
    public static string Write(RpcOptions config)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (ConfigField field in ConfigField.All)
            {
                string value = field.GetText(config);
                switch (field.Kind)
                {
                    case ConfigValueKind.Bool:
                        writer.WriteBoolean(field.Name, value == "true");
                        break;
                    case ConfigValueKind.Integer:
                        writer.WriteNumber(field.Name, long.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    default:
                        writer.WriteString(field.Name, value);
                        break;
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <exception cref="ConfigFileException">The text is malformed or names an unknown field.</exception>
    public static RpcOptions Read(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var config = new RpcOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ConfigFileException("a JSON config is one object: { \"Field\": value, ... }.",
                    LineOf(utf8, reader.TokenStartIndex));
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                int line = LineOf(utf8, reader.TokenStartIndex);
                string name = reader.GetString()!;
                ConfigField field = ConfigField.Find(name) ?? throw SexpConfigFormat.UnknownField(name, line);
                if (!seen.Add(field.Name))
                {
                    throw new ConfigFileException($"field '{name}' appears twice.", line, name);
                }
                reader.Read();
                line = LineOf(utf8, reader.TokenStartIndex);
                string value = (reader.TokenType, field.Kind) switch
                {
                    (JsonTokenType.StartArray, ConfigValueKind.StringList or ConfigValueKind.IntegerList) =>
                        ReadList(ref reader, field, name, line),
                    (JsonTokenType.True, ConfigValueKind.Bool) => "true",
                    (JsonTokenType.False, ConfigValueKind.Bool) => "false",
                    (JsonTokenType.Number, ConfigValueKind.Integer) => Encoding.UTF8.GetString(reader.ValueSpan),
                    (JsonTokenType.String, ConfigValueKind.String or ConfigValueKind.Duration) => reader.GetString()!,
                    _ => throw new ConfigFileException(
                        $"field '{name}' needs a {(field.Kind == ConfigValueKind.Duration ? "duration string like \"9s\"" : SexpConfigFormat.Describe(field.Kind))}.",
                        line, name),
                };
                SexpConfigFormat.Set(config, field, name, value, line);
            }
            if (reader.Read())
            {
                throw new ConfigFileException("unexpected text after the closing '}'.", LineOf(utf8, reader.TokenStartIndex));
            }
            SexpConfigFormat.Finish(config, LineOf(utf8, reader.TokenStartIndex));
        }
        catch (JsonException e)
        {
            throw new ConfigFileException($"not valid JSON: {e.Message}", (int)(e.LineNumber ?? 0) + 1, null, e);
        }
        return config;
    }

    /// <summary>Reads a JSON array of strings or numbers for a list field.</summary>
    private static string ReadList(ref Utf8JsonReader reader, ConfigField field, string name, int line)
    {
        JsonTokenType itemType = field.Kind == ConfigValueKind.StringList ? JsonTokenType.String : JsonTokenType.Number;
        var items = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != itemType)
            {
                throw new ConfigFileException($"field '{name}' needs a {SexpConfigFormat.Describe(field.Kind)}.", line,
                    name);
            }
            items.Add(itemType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan));
        }
        return string.Join(ConfigField.ListSeparator, items);
    }

    internal static int LineOf(byte[] utf8, long index)
    {
        int line = 1;
        for (long i = 0; i < index && i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
            }
        }
        return line;
    }
}
