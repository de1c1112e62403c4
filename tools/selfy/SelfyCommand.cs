using System.CommandLine;
using System.Globalization;
using Rpc25519;
using Rpc25519.Security;

namespace Rpc25519.Tools.Selfy;

/// <summary>The selfy command line: make a CA, key pairs and pre-shared keys; view and verify certificates.</summary>
internal static class SelfyCommand
{
    private sealed record Options(bool Ca, string? Name, string? Email, string CertsDir, string PrivateDir,
        bool NoPass, string? GenSym, string? View, string? Verify, TimeSpan? CertValidFor, TimeSpan? CaValidFor,
        bool Quiet, Argon2Settings Argon2);

    /// <summary>Runs selfy; returns the exit code. Every mistake is one line on <paramref name="err"/> and exit
    /// 1.</summary>
    public static int Run(string[] args, TextWriter @out, TextWriter err, Func<string, string> prompt)
    {
        var ca = new Option<bool>("-ca") { Description = "create a new self-signed Ed25519 CA in the -p directory" };
        var key = new Option<string?>("-k") { Description =
            "create the key pair NAME.key/NAME.crt in -o (makes a CA first if none)" };
        var email = new Option<string?>("-e") { Description =
            "owner's e-mail for the certificate (default NAME@hostname)" };
        var output = new Option<string?>("-o") { Description =
            $"directory for key pairs (default {SecurityPaths.DefaultCertsDirectory})" };
        var priv = new Option<string?>("-p") { Description =
            $"CA directory (default {SecurityPaths.DefaultPrivateDirectory})" };
        var noPass = new Option<bool>("-nopass") { Description = "do not protect private keys with a pass-phrase" };
        var genSym = new Option<string?>("-gensym") { Description =
            "write 32 random bytes to -p/FILE (a pre-shared key)" };
        var view = new Option<string?>("-v") { Description = "view a certificate (or test-load a private key)" };
        var verify = new Option<string?>("-verify") { Description = "check that a certificate is signed by -p/ca.crt" };
        var certValid = new Option<string?>("-cert-validfor") { Description =
            "certificate lifetime, e.g. 365d or 2y (default: the CA's)" };
        var caValid = new Option<string?>("-ca-validfor") { Description = "CA lifetime (default: no expiry)" };
        var quiet = new Option<bool>("-quiet") { Description = "print less" };
        var argon2 = new Option<string?>("-argon2") { Description =
            "key protection cost as ITERATIONS,MEMORY_KIB,THREADS (default 3,65536,1)" };
        var root = new RootCommand("selfy: make Ed25519 CAs, identities and pre-shared keys for Rpc25519")
        {
            ca, key, email, output, priv, noPass, genSym, view, verify, certValid, caValid, quiet, argon2,
        };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            err.WriteLine($"selfy: error: {parsed.Errors[0].Message}");
            return 1;
        }
        if (args.Length == 0 || args.Contains("-h") || args.Contains("--help") || args.Contains("--version"))
        {
            parsed.Invoke();
            return args.Length == 0 ? 1 : 0;
        }
        try
        {
            var options = new Options(parsed.GetValue(ca), parsed.GetValue(key), parsed.GetValue(email),
                parsed.GetValue(output) ?? SecurityPaths.DefaultCertsDirectory,
                parsed.GetValue(priv) ?? SecurityPaths.DefaultPrivateDirectory, parsed.GetValue(noPass),
                parsed.GetValue(genSym), parsed.GetValue(view), parsed.GetValue(verify),
                DurationParser.Parse(parsed.GetValue(certValid)), DurationParser.Parse(parsed.GetValue(caValid)),
                parsed.GetValue(quiet), ParseArgon2(parsed.GetValue(argon2)));
            return Execute(options, @out, err, prompt);
        }
        catch (Exception e) when (e is RpcException or FormatException or IOException or UnauthorizedAccessException
                                   or ArgumentException)
        {
            err.WriteLine($"selfy: error: {e.Message}");
            return 1;
        }
    }

    private static int Execute(Options o, TextWriter @out, TextWriter err, Func<string, string> prompt)
    {
        string caCert = Path.Combine(o.PrivateDir, SelfCertificates.CaCertificateFileName);
        if (o.Verify is not null)
        {
            if (!SelfCertificates.IsSignedBy(o.Verify, caCert))
            {
                err.WriteLine($"selfy: error: cert '{o.Verify}' was NOT signed by '{caCert}'.");
                return 1;
            }
            @out.WriteLine($"cert '{o.Verify}' was indeed signed by '{caCert}'.");
            return 0;
        }
        if (!o.Ca && o.Name is null && o.View is null && o.GenSym is null)
        {
            err.WriteLine("selfy: error: nothing to do; give -ca, -k NAME, -v PATH, -verify CERT or -gensym FILE.");
            return 1;
        }
        if (o.Ca)
        {
            MakeCa(o, @out, prompt);
        }
        if (o.Name is not null)
        {
            if (!File.Exists(caCert))
            {
                MakeCa(o, @out, prompt);
            }
            string email = o.Email ?? $"{o.Name}@{Environment.MachineName}";
            if (o.Email is null && !o.Quiet)
            {
                err.WriteLine($"selfy: no -e given; using e-mail '{email}'.");
            }
            string keyPath = Path.Combine(o.CertsDir, o.Name + ".key");
            if (File.Exists(keyPath) || File.Exists(Path.ChangeExtension(keyPath, ".crt")))
            {
                throw new RpcException(
                    $"key pair '{o.Name}' already exists in '{o.CertsDir}'; refusing to overwrite it.");
            }
            string? pass = o.NoPass ? null : NewPassphrase($"key '{o.Name}'", prompt);
            string cert = SelfCertificates.CreateKeyPair(o.Name, email, o.CertsDir, o.PrivateDir, pass,
                LoadPassphrase(prompt), o.CertValidFor, o.Argon2);
            @out.WriteLine($"wrote key pair '{o.Name}': {cert} and {Path.ChangeExtension(cert, ".key")}");
        }
        if (o.View is not null)
        {
            View(o.View, @out, prompt);
        }
        if (o.GenSym is not null)
        {
            string path = Path.Combine(o.PrivateDir, o.GenSym);
            SelfCertificates.GenerateSymmetricKey(path);
            @out.WriteLine($"wrote 32 cryptographically random bytes to {path}");
        }
        return 0;
    }

    private static void MakeCa(Options o, TextWriter @out, Func<string, string> prompt)
    {
        string? pass = o.NoPass ? null : NewPassphrase("the new CA key", prompt);
        string path = SelfCertificates.CreateCertificateAuthority(o.PrivateDir, pass, o.CaValidFor, o.Argon2);
        @out.WriteLine($"wrote CA: {path} and {Path.Combine(o.PrivateDir, SelfCertificates.CaKeyFileName)}");
    }

    private static void View(string path, TextWriter @out, Func<string, string> prompt)
    {
        string text = File.ReadAllText(path);
        if (text.Contains("CERTIFICATE-----", StringComparison.Ordinal))
        {
            @out.Write(SelfCertificates.Describe(path));
            return;
        }
        string publicKey = SelfCertificates.CheckPrivateKey(path, LoadPassphrase(prompt));
        @out.WriteLine($"private key '{path}' loaded; its Ed25519 public key is {publicKey}");
    }

    private static Func<string, string> LoadPassphrase(Func<string, string> prompt) =>
        path => Environment.GetEnvironmentVariable(Passphrase.EnvironmentVariable) is { Length: > 0 } env
            ? env
            : prompt($"Enter pass-phrase for '{path}': ");

    private static string? NewPassphrase(string what, Func<string, string> prompt)
    {
        if (Environment.GetEnvironmentVariable(Passphrase.EnvironmentVariable) is { Length: > 0 } env)
        {
            return env;
        }
        string first = prompt($"Enter pass-phrase for {what} (empty for no pass-phrase): ");
        string second = prompt("Enter same pass-phrase again: ");
        if (first != second)
        {
            throw new RpcException("the two pass-phrases differ; nothing was written.");
        }
        return first.Length == 0 ? null : first;
    }

    private static Argon2Settings ParseArgon2(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Argon2Settings.Default;
        }
        int[] parts = text.Split(',').Select(p => int.Parse(p, NumberStyles.None,
            CultureInfo.InvariantCulture)).ToArray();
        if (parts.Length != 3)
        {
            throw new FormatException("-argon2 takes ITERATIONS,MEMORY_KIB,THREADS, e.g. 3,65536,1.");
        }
        return new Argon2Settings { Iterations = parts[0], MemoryKiB = parts[1], Threads = parts[2] };
    }
}
