using System.Globalization;
using System.Text;

namespace Rpc25519.Security;

/// <summary>
/// A known-keys file (spec §5.2): absent, nothing is remembered; writable (any write bit), trust on first use and
/// a new key is appended; read-only, lock-down and only listed keys get in. Line format:
/// <c>HOST pubkey@edwardsRPC-ed25519-b58c-B58:EMAILS first_seen=TIME</c>.
/// </summary>
/// <remarks>Thread-safe: checks and appends of one process are serialized, so a key is recorded once.</remarks>
internal sealed class KnownKeys
{
    /// <summary>How every identity in the file starts.</summary>
    public const string IdentityPrefix = "pubkey@edwardsRPC-ed25519-b58c-";

    private static readonly Lock FileLock = new();

    private readonly string _path;

    private KnownKeys(string path) => _path = path;

    /// <summary>The full path of the file.</summary>
    public string Path => _path;

    /// <summary>The list at <paramref name="path"/>, or null when the path is empty or no such file exists.</summary>
    public static KnownKeys? Open(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        string full = System.IO.Path.GetFullPath(path);
        return File.Exists(full) ? new KnownKeys(full) : null;
    }

    /// <summary>Whether the file has any write permission bit set (then new keys are recorded).</summary>
    public bool IsWritable =>
        OperatingSystem.IsWindows()
            ? !new FileInfo(_path).IsReadOnly
            : (File.GetUnixFileMode(_path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite
                                               | UnixFileMode.OtherWrite)) != 0;

    /// <summary>The listed keys (Base58Check strings), in file order.</summary>
    /// <exception cref="RpcException">A line is badly formatted.</exception>
    public List<string> ReadKeys()
    {
        var keys = new List<string>();
        int lineNumber = 0;
        foreach (string raw in File.ReadAllLines(_path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int colon = fields.Length >= 2 ? fields[1].IndexOf(':', StringComparison.Ordinal) : -1;
            if (colon < 0 || !fields[1].StartsWith(IdentityPrefix, StringComparison.Ordinal))
            {
                throw new RpcException($"Known-keys file '{_path}' line {lineNumber} is badly formatted; expected " +
                    $"'HOST {IdentityPrefix}KEY:EMAILS'.");
            }
            keys.Add(fields[1][IdentityPrefix.Length..colon]);
        }
        return keys;
    }

    /// <summary>Admits or rejects <paramref name="peer"/> seen from <paramref name="host"/>.</summary>
    /// <returns>True when the key was new and has just been recorded.</returns>
    /// <exception cref="CertificateRejectedException">Lock-down and the key is not listed.</exception>
    public bool Admit(PeerIdentity peer, string host, DateTimeOffset now)
    {
        string key = Base58Check.Encode(peer.PublicKey);
        lock (FileLock)
        {
            if (ReadKeys().Contains(key, StringComparer.Ordinal))
            {
                return false;
            }
            if (!IsWritable)
            {
                throw new CertificateRejectedException(Org.BouncyCastle.Tls.AlertDescription.access_denied,
                    $"key {key} is not in the locked-down (read-only) known-keys list '{_path}'");
            }
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{host} {peer.KnownKeysString} first_seen={now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\n");
            string existing = File.ReadAllText(_path);
            if (existing.Length > 0 && !existing.EndsWith('\n'))
            {
                line = "\n" + line;
            }
            File.AppendAllText(_path, line, new UTF8Encoding(false));
            return true;
        }
    }
}
