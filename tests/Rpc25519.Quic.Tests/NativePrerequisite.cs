using System.Diagnostics;
using Rpc25519.Transport.Quic;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Quic.Tests;

/// <summary>
/// Makes sure ngtcp2 and its GnuTLS helper are installed before a test needs them: when they are missing and the tests
/// run as root (as CI and a fresh Debian 12 machine do), installs the Debian packages once; otherwise the test fails
/// with <see cref="QuicLibraryMissingException"/>, whose message says what to install. Never skips.
/// </summary>
internal static class NativePrerequisite
{
    private static readonly Lazy<string> Version = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void Ensure() => _ = Version.Value;

    private static string Install()
    {
        try
        {
            return QuicLibrary.Ensure().Version;
        }
        catch (QuicLibraryMissingException) when (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            Run("apt-get", "update", "-qq");
            Run("apt-get", "install", "-y", "-qq", "libngtcp2-9", "libngtcp2-crypto-gnutls2");
            return QuicLibrary.Ensure().Version;
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} did not finish in 5 minutes");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): " +
                output.Result + errors.Result);
        }
    }
}
