using System.Globalization;
using System.Reflection;
using Rpc25519.Compression;

namespace Rpc25519.ConfigFiles;

/// <summary>
/// One setting that config files carry. The written fields are found by reflection once: every public read-write
/// property of a plain type (string, bool, int, long, <see cref="TimeSpan"/>, enum) of <see cref="RpcOptions"/> and
/// of its sections (<see cref="RpcOptions.Tls"/> by its own names, <see cref="RpcOptions.PreSharedKey"/> prefixed
/// <c>PreSharedKey</c>, <see cref="RpcOptions.Peers"/> prefixed <c>Peer</c>), so settings added later are saved and
/// loaded without touching this code. Objects (clock, scheduler, transport, logger, serializer options) are not
/// persisted. <see cref="LegacyConfigFields"/> adds the original's names, read but never written.
/// </summary>
internal sealed class ConfigField
{
    /// <summary>Separates the items of a list value in the text form that <see cref="SetText"/> takes.</summary>
    public const char ListSeparator = '\u001F';

    private readonly Func<RpcOptions, string> _get;
    private readonly Action<RpcOptions, string> _set;

    public ConfigField(string name, ConfigValueKind kind, Func<RpcOptions, string> get, Action<RpcOptions, string> set)
    {
        Name = name;
        Kind = kind;
        _get = get;
        _set = set;
    }

    /// <summary>Every written field, in declaration order (top-level settings, then each section).</summary>
    public static IReadOnlyList<ConfigField> All { get; } =
    [
        .. FieldsOf(typeof(RpcOptions), "", options => options),
        .. FieldsOf(typeof(Transport.TlsOptions), "", options => options.Tls),
        .. FieldsOf(typeof(Transport.PskOptions), "PreSharedKey", options => options.PreSharedKey),
        .. FieldsOf(typeof(Peers.PeerOptions), "Peer", options => options.Peers),
    ];

    public string Name { get; }

    public ConfigValueKind Kind { get; }

    /// <summary>The field called <paramref name="name"/> in a file: one of <see cref="All"/> or an original name.</summary>
    public static ConfigField? Find(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? LegacyConfigFields.Find(name);

    /// <summary>The field's value in <paramref name="options"/>, as text (strings unquoted, durations Go-style).</summary>
    public string GetText(RpcOptions options) => _get(options);

    /// <summary>Whether the field still has its default value (for short renderings).</summary>
    public bool IsDefault(RpcOptions options, RpcOptions defaults) => GetText(options) == GetText(defaults);

    /// <summary>Sets the field from text in the form <see cref="GetText"/> writes (list items separated by
    /// <see cref="ListSeparator"/>).</summary>
    /// <exception cref="FormatException">The text is not a valid value for the field.</exception>
    public void SetText(RpcOptions options, string text) => _set(options, text);

    private static IEnumerable<ConfigField> FieldsOf(Type type, string prefix, Func<RpcOptions, object> section) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0 && IsPlain(p.PropertyType))
            .OrderBy(p => p.MetadataToken)
            .Select(p => new ConfigField(prefix + p.Name, KindOf(p.PropertyType),
                options => Format(p.GetValue(section(options))),
                (options, text) => SetProperty(p, section(options), Parse(p.PropertyType, text))))
            .ToArray();

    private static ConfigValueKind KindOf(Type type) => type switch
    {
        _ when type == typeof(bool) => ConfigValueKind.Bool,
        _ when type == typeof(int) || type == typeof(long) => ConfigValueKind.Integer,
        _ when type == typeof(TimeSpan) => ConfigValueKind.Duration,
        _ => ConfigValueKind.String, // strings, and enums by name
    };

    public static string Format(object? value) => value switch
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

    /// <exception cref="FormatException">The text is not a valid value of <paramref name="type"/>.</exception>
    public static object Parse(Type type, string text)
    {
        try
        {
            return type switch
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
            string expected = type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}" : $"a valid {type.Name}";
            throw new FormatException($"'{text}' is not {expected}.", e);
        }
    }

    private static void SetProperty(PropertyInfo property, object target, object value)
    {
        try
        {
            property.SetValue(target, value);
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
