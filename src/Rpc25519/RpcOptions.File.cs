using Rpc25519.ConfigFiles;

namespace Rpc25519;

public sealed partial class RpcOptions
{
    /// <summary>
    /// Renders the persistable settings (every plain-valued property: strings, flags, numbers, durations, enums) in the
    /// original's s-expression style: <c>(rpc25519_Config</c>, one right-aligned <c>Field: value,</c> per line, <c>)</c>,
    /// durations as <c>(dur "9s")</c>. Object-valued settings (clock, scheduler, transport, logging) are not written.
    /// </summary>
    /// <param name="omitDefaults">Leave out fields that have their default value (a "short" rendering).</param>
    public string ToSexp(bool omitDefaults = false) => SexpConfigFormat.Write(this, omitDefaults);

    /// <summary>Reads a config written by <see cref="ToSexp"/> (or by hand); missing fields keep their defaults.</summary>
    /// <exception cref="ConfigFileException">Malformed text, an unknown or repeated field, or a bad value; the message
    /// names the line and the field.</exception>
    public static RpcOptions ParseSexp(string text) => SexpConfigFormat.Read(text);

    /// <summary>Renders the persistable settings as an indented JSON object (durations as <c>"9s"</c> strings).</summary>
    public string ToJson() => JsonConfigFormat.Write(this);

    /// <summary>Reads a JSON config; missing fields keep their defaults.</summary>
    /// <exception cref="ConfigFileException">Malformed JSON, an unknown or repeated field, or a bad value; the message
    /// names the line and the field.</exception>
    public static RpcOptions ParseJson(string text) => JsonConfigFormat.Read(text);

    /// <summary>Writes the settings to <paramref name="path"/>: JSON if it ends in <c>.json</c>, else s-expression.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, IsJson(path) ? ToJson() : ToSexp());

    /// <summary>Reads settings from <paramref name="path"/>: JSON if it ends in <c>.json</c>, else s-expression.</summary>
    /// <exception cref="ConfigFileException">The file's content is not a valid config (the message names the line).</exception>
    public static RpcOptions Load(string path)
    {
        string text = File.ReadAllText(path);
        try
        {
            return IsJson(path) ? ParseJson(text) : ParseSexp(text);
        }
        catch (ConfigFileException e)
        {
            throw new ConfigFileException($"{path}: {e.Reason}", e.Line, e.Field, e);
        }
    }

    private static bool IsJson(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
}
