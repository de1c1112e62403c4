using System.CommandLine;
using Rpc25519.Security;

namespace Rpc25519.Tools;

/// <summary>The connection flags jsrv and jcp share (-certs, -k, -tcp, -skip-verify, -known, -psk), and how they fill
/// <see cref="RpcOptions"/>. Linked into both tools.</summary>
internal sealed class TlsFlags
{
    private readonly bool _server;

    public TlsFlags(bool server)
    {
        _server = server;
        string peer = server ? "client" : "server";
        Certs = new Option<string?>("-certs") { Description = "certificate directory (default: selfy's certs dir)" };
        KeyName = new Option<string>("-k")
        {
            Description = $"{(server ? "server" : "client")} key pair name",
            DefaultValueFactory = _ => server ? "node" : "client",
        };
        Tcp = new Option<bool>("-tcp") { Description = "plain TCP, no TLS (trusted networks and tests only)" };
        SkipVerify = new Option<bool>("-skip-verify") { Description = $"accept any valid Ed25519 {peer}" };
        Known = new Option<string?>("-known")
        {
            Description = $"known {peer} keys file (default: known_{peer}_keys in the working directory; \"none\" " +
                "to keep no list)",
        };
        Psk = new Option<string?>("-psk")
        {
            Description = "pre-shared key file (from selfy -gensym); both ends must give the same one",
        };
    }

    public Option<string?> Certs { get; }

    public Option<string> KeyName { get; }

    public Option<bool> Tcp { get; }

    public Option<bool> SkipVerify { get; }

    public Option<string?> Known { get; }

    public Option<string?> Psk { get; }

    public IEnumerable<Option> All => [Certs, KeyName, Tcp, SkipVerify, Known, Psk];

    /// <summary>Sets the transport and the TLS section of <paramref name="config"/> from the parsed flags.</summary>
    public RpcOptions Apply(ParseResult parsed, RpcOptions config)
    {
        config.Transport = parsed.GetValue(Tcp) ? TransportKind.Tcp : TransportKind.Tls;
        config.Tls.SkipVerifyKeys = parsed.GetValue(SkipVerify);
        config.Tls.CertPath = parsed.GetValue(Certs) ?? "";
        config.Tls.PassphraseProvider = Passphrase.ConsolePrompt;
        config.PreSharedKey.Path = parsed.GetValue(Psk) ?? "";
        if (_server)
        {
            config.Tls.ServerKeyPairName = parsed.GetValue(KeyName)!;
        }
        else
        {
            config.Tls.ClientKeyPairName = parsed.GetValue(KeyName)!;
        }
        if (parsed.GetValue(Known) is { } known)
        {
            string path = known == "none" ? "" : known;
            if (_server)
            {
                config.Tls.KnownClientKeysPath = path;
            }
            else
            {
                config.Tls.KnownServerKeysPath = path;
            }
        }
        return config;
    }

    /// <summary>"TLS 1.3, Ed25519" or "plain TCP", plus the pre-shared key layer when on, for status lines.</summary>
    public static string Describe(RpcOptions config) =>
        (config.Transport == TransportKind.Tcp ? "plain TCP" : "TLS 1.3, Ed25519") +
        (config.PreSharedKey.IsEnabled ? " + pre-shared key" : "");
}
