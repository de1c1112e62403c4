using System.Globalization;
using System.Runtime.CompilerServices;

namespace Rpc25519.ConfigFiles;

/// <summary>
/// The names the original (Go) and our pre-1.0 releases wrote, accepted when loading so that their config files still
/// load; never written. Settings this implementation does not have are accepted at their harmless values and refused
/// with a clear message otherwise (e.g. <c>UseQUIC: true</c>).
/// </summary>
internal static class LegacyConfigFields
{
    /// <summary>Service names read from <c>LimitedServiceNames</c> or <c>LimitedServiceMax</c> while the other list
    /// has not been read yet; the pair becomes <see cref="Peers.PeerOptions.ServiceLimits"/>.</summary>
    private static readonly ConditionalWeakTable<RpcOptions, PendingLimits> Pending = new();

    private static readonly Dictionary<string, ConfigField> Fields = new ConfigField[]
    {
        Renamed("ServerAddr", nameof(RpcOptions.ListenAddress)),
        Renamed("ClientDialToHostPort", nameof(RpcOptions.ServerAddress)),
        Renamed("CompressAlgo", nameof(RpcOptions.Compression)),
        Renamed("ServerSendKeepAlive", nameof(RpcOptions.ServerKeepAliveInterval)),
        Renamed("ClientSendKeepAlive", nameof(RpcOptions.ClientKeepAliveInterval)),
        TcpOnly("TCPonly_no_TLS"),
        TcpOnly("TcpOnlyNoTls"),
        new("CompressionOff", ConfigValueKind.Bool, _ => "false", (options, text) =>
        {
            if (ParseBool(text))
            {
                options.Compression = Compression.CompressionAlgo.None;
            }
        }),
        MustBeOff("UseQUIC", "QUIC is not available in this build yet; remove UseQUIC or set it to false"),
        MustBeOff("HTTPConnectRequired", "HTTP CONNECT tunnelling is not supported; connect directly"),
        MustBeOff("UseSimNet", "use Rpc25519.SimNet's SimNetwork as RpcOptions.CustomTransport instead"),
        Ignored("NoSharePortQUIC", ConfigValueKind.Bool),
        Ignored("QuietTestMode", ConfigValueKind.Bool),
        Ignored("ServerAutoCreateClientsToDialOtherServers", ConfigValueKind.Bool),
        Ignored("ClientHostPort", ConfigValueKind.String),
        Ignored("SimnetGOMAXPROCS", ConfigValueKind.Integer),
        new("LimitedServiceNames", ConfigValueKind.StringList, _ => "",
            (options, text) => Pending.GetOrCreateValue(options).SetNames(options, SplitList(text))),
        new("LimitedServiceMax", ConfigValueKind.IntegerList, _ => "",
            (options, text) => Pending.GetOrCreateValue(options).SetMaxima(options, SplitList(text))),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static ConfigField? Find(string name) => Fields.GetValueOrDefault(name);

    /// <summary>Checks what must hold once a whole file is read.</summary>
    /// <exception cref="FormatException">Only one of the two service-limit lists was given.</exception>
    public static void Finish(RpcOptions options)
    {
        if (Pending.TryGetValue(options, out PendingLimits? pending) && !pending.IsComplete)
        {
            throw new FormatException("LimitedServiceNames and LimitedServiceMax must be given together (one maximum " +
                "per name); newer files write Peers.ServiceLimits in code instead.");
        }
    }

    private static ConfigField Renamed(string oldName, string newName)
    {
        ConfigField target = ConfigField.All.Single(f => f.Name == newName);
        return new ConfigField(oldName, target.Kind, target.GetText, target.SetText);
    }

    private static ConfigField TcpOnly(string name) => new(name, ConfigValueKind.Bool, _ => "false",
        (options, text) => options.Transport = ParseBool(text) ? TransportKind.Tcp : TransportKind.Tls);

    private static ConfigField MustBeOff(string name, string advice) => new(name, ConfigValueKind.Bool, _ => "false",
        (_, text) =>
        {
            if (ParseBool(text))
            {
                throw new FormatException($"{name} is not supported: {advice}.");
            }
        });

    private static ConfigField Ignored(string name, ConfigValueKind kind) => new(name, kind, _ => "", (_, _) => { });

    private static bool ParseBool(string text) => (bool)ConfigField.Parse(typeof(bool), text);

    private static string[] SplitList(string text) =>
        text.Length == 0 ? [] : text.Split(ConfigField.ListSeparator);

    /// <summary>The two original lists, joined into a map once both are read.</summary>
    private sealed class PendingLimits
    {
        private string[]? _names;
        private string[]? _maxima;

        public bool IsComplete => (_names is null) == (_maxima is null);

        public void SetNames(RpcOptions options, string[] names)
        {
            _names = names;
            Apply(options);
        }

        public void SetMaxima(RpcOptions options, string[] maxima)
        {
            _maxima = maxima;
            Apply(options);
        }

        private void Apply(RpcOptions options)
        {
            if (_names is null || _maxima is null)
            {
                return;
            }
            if (_names.Length != _maxima.Length)
            {
                throw new FormatException($"LimitedServiceNames has {_names.Length} entries but LimitedServiceMax has " +
                    $"{_maxima.Length}; give one maximum per name.");
            }
            for (int i = 0; i < _names.Length; i++)
            {
                if (!int.TryParse(_maxima[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int max)
                    || max < 0)
                {
                    throw new FormatException($"LimitedServiceMax entry {i} is '{_maxima[i]}'; use 0 (no limit) or a " +
                        "positive whole number.");
                }
                options.Peers.ServiceLimits[_names[i]] = max;
            }
        }
    }
}
