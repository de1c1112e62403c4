using System.Globalization;
using System.Reflection;
using Rpc25519.Compression;

namespace Rpc25519.ConfigFiles;

/// <summary>
/// One <see cref="RpcConfig"/> property that config files carry: every public read-write property of a plain type
/// (string, bool, int, long, <see cref="TimeSpan"/>, enum). Found by reflection once, so settings other parts of the
/// library add to the partial <see cref="RpcConfig"/> are saved and loaded without touching this code. Objects (clock,
/// scheduler, transport, logger, serializer options) are not persisted.
/// </summary>
internal sealed class ConfigField
{
    private readonly PropertyInfo _property;

    private ConfigField(PropertyInfo property)
    {
        _property = property;
        Kind = property.PropertyType switch
        {
            var t when t == typeof(string) => ConfigValueKind.String,
            var t when t == typeof(bool) => ConfigValueKind.Bool,
            var t when t == typeof(int) || t == typeof(long) => ConfigValueKind.Integer,
            var t when t == typeof(TimeSpan) => ConfigValueKind.Duration,
            _ => ConfigValueKind.String, // enums are written by name
        };
    }

    /// <summary>Every persisted field, in declaration order.</summary>
    public static IReadOnlyList<ConfigField> All { get; } = typeof(RpcConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0 && IsPlain(p.PropertyType))
        .OrderBy(p => p.MetadataToken)
        .Select(p => new ConfigField(p))
        .ToArray();

    /// <summary>Older names (the original's) accepted when loading.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["TCPonly_no_TLS"] = nameof(RpcConfig.TcpOnlyNoTls),
        ["CompressAlgo"] = nameof(RpcConfig.Compression),
    };

    public string Name => _property.Name;

    public ConfigValueKind Kind { get; }

    public static ConfigField? Find(string name)
    {
        string canonical = Aliases.GetValueOrDefault(name, name);
        return All.FirstOrDefault(f => f.Name == canonical);
    }

    /// <summary>The field's value in <paramref name="config"/>, as text (strings unquoted, durations Go-style).</summary>
    public string GetText(RpcConfig config)
    {
        object? value = _property.GetValue(config);
        return value switch
        {
            null => "",
            string s => s,
            bool b => b ? "true" : "false",
            TimeSpan t => GoDuration.Format(t),
            CompressionAlgo c => CompressionNames.ToName(c),
            Enum e => e.ToString(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    /// <summary>Whether the field still has its default value (for short renderings).</summary>
    public bool IsDefault(RpcConfig config, RpcConfig defaults) => GetText(config) == GetText(defaults);

    /// <summary>Sets the field from text in the form <see cref="GetText"/> writes.</summary>
    /// <exception cref="FormatException">The text is not a valid value for the field.</exception>
    public void SetText(RpcConfig config, string text)
    {
        Type type = _property.PropertyType;
        object value;
        try
        {
            value = type switch
            {
                _ when type == typeof(string) => text,
                _ when type == typeof(bool) => text switch
                {
                    "true" => true,
                    "false" => false,
                    _ => throw new FormatException($"'{text}' is not true or false."),
                },
                _ when type == typeof(int) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                _ when type == typeof(long) => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                _ when type == typeof(TimeSpan) => GoDuration.Parse(text),
                _ when type == typeof(CompressionAlgo) => CompressionNames.Parse(text),
                _ => Enum.Parse(type, text, ignoreCase: false),
            };
        }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            throw new FormatException($"'{text}' is not a valid {type.Name}.", e);
        }
        try
        {
            _property.SetValue(config, value);
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner)
        {
            throw new FormatException(inner.Message, inner);
        }
    }

    private static bool IsPlain(Type type) =>
        type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long)
        || type == typeof(TimeSpan) || type.IsEnum;
}
