using Rpc25519.Tools.Selfy;

namespace Rpc25519.Tests.Security;

/// <summary>selfy end to end, through its command-line entry point with scripted pass-phrase answers.</summary>
[Collection("Security")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SelfyTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private const string CheapArgon2 = "1,64,1";

    [Fact]
    public void MakesCaAndPairs_ViewsAndVerifies_RefusesOverwrite()
    {
        string dir = certs.NewDir("selfy");
        string certsDir = Path.Combine(dir, "certs");
        string priv = Path.Combine(dir, "private");
        var (code, output, error) = Run([], "-k", "node", "-nopass", "-e", "ops@example.org", "-o", certsDir, "-p",
            priv);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(priv, "ca.key")));
        Assert.True(File.Exists(Path.Combine(certsDir, "ca.crt")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certsDir,
            "node.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(priv,
            "ca.key")));

        // With a pass-phrase (asked twice), then loaded with it.
        (code, _, error) = Run(["pw", "pw", "pw"], "-k", "client", "-argon2", CheapArgon2, "-o", certsDir, "-p", priv);
        Assert.True(code == 0, error);
        Assert.Contains("ENCRYPTED PRIVATE KEY", File.ReadAllText(Path.Combine(certsDir, "client.key")),
            StringComparison.Ordinal);
        (code, output, _) = Run(["pw"], "-v", Path.Combine(certsDir, "client.key"));
        Assert.Equal(0, code);
        Assert.Contains("loaded", output, StringComparison.Ordinal);
        (code, _, error) = Run(["nope"], "-v", Path.Combine(certsDir, "client.key"));
        Assert.Equal(1, code);
        Assert.Contains("Wrong pass-phrase", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("selfy: error",
            StringComparison.Ordinal));

        (code, output, _) = Run([], "-v", Path.Combine(certsDir, "node.crt"));
        Assert.Equal(0, code);
        Assert.Contains("email:ops@example.org", output, StringComparison.Ordinal);
        (code, output, _) = Run([], "-verify", Path.Combine(certsDir, "node.crt"), "-p", priv);
        Assert.Equal(0, code);
        Assert.Contains("was indeed signed", output, StringComparison.Ordinal);
        (code, _, error) = Run([], "-verify", Path.Combine(certs.OtherCertsDir, "node.crt"), "-p", priv);
        Assert.Equal(1, code);
        Assert.Contains("NOT signed", error, StringComparison.Ordinal);

        byte[] keyBefore = File.ReadAllBytes(Path.Combine(certsDir, "node.key"));
        (code, _, error) = Run([], "-k", "node", "-nopass", "-o", certsDir, "-p", priv);
        Assert.Equal(1, code);
        Assert.Contains("refusing to overwrite", error, StringComparison.Ordinal);
        Assert.Equal(keyBefore, File.ReadAllBytes(Path.Combine(certsDir, "node.key")));
        (code, _, error) = Run([], "-ca", "-nopass", "-p", priv);
        Assert.Equal(1, code);
        Assert.Contains("refusing to overwrite", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GenSym_Writes32Bytes_Once()
    {
        string priv = certs.NewDir("gensym");
        var (code, output, _) = Run([], "-gensym", "psk.binary", "-p", priv);
        Assert.Equal(0, code);
        Assert.Contains("wrote 32 cryptographically random bytes", output, StringComparison.Ordinal);
        Assert.Equal(32, new FileInfo(Path.Combine(priv, "psk.binary")).Length);
        (code, _, _) = Run([], "-gensym", "psk.binary", "-p", priv);
        Assert.Equal(1, code);
    }

    [Fact]
    public void Mistakes_GiveOneLineErrors()
    {
        Assert.Equal(1, Run([], "-bogus").Code);
        Assert.Equal(1, Run([], "-v", "/nonexistent/file.crt").Code);
        var (code, _, error) = Run(["a", "b"], "-ca", "-p", certs.NewDir("mismatch"));
        Assert.Equal(1, code);
        Assert.Contains("differ", error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(string[] answers, params string[] args)
    {
        var queue = new Queue<string>(answers);
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SelfyCommand.Run(args, output, error, _ => queue.Count > 0 ? queue.Dequeue() : "");
        return (code, output.ToString(), error.ToString());
    }
}
