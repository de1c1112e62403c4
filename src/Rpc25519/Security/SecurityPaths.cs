namespace Rpc25519.Security;

/// <summary>Default locations of certificates and private material, as selfy and the transports use them.</summary>
/// <remarks>Thread-safe; the values are computed from the environment on each call.</remarks>
public static class SecurityPaths
{
    /// <summary>The configuration root: <c>$XDG_CONFIG_HOME/rpc25519</c> when that variable is set, else
    /// <c>~/.config/rpc25519</c>.</summary>
    public static string ConfigRoot
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            string baseDir = string.IsNullOrWhiteSpace(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config")
                : xdg;
            return Path.Combine(baseDir, "rpc25519");
        }
    }

    /// <summary>Where key pairs and the copy of <c>ca.crt</c> live by default: <c>ConfigRoot/certs</c>.</summary>
    public static string DefaultCertsDirectory => Path.Combine(ConfigRoot, "certs");

    /// <summary>Where the CA's private key lives by default: <c>ConfigRoot/my-keep-private-dir</c>.</summary>
    public static string DefaultPrivateDirectory => Path.Combine(ConfigRoot, "my-keep-private-dir");
}
