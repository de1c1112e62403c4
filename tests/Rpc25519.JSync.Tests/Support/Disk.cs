using System.Diagnostics;
using System.Globalization;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>What the file system really allocated for a file (stat's %b × 512).</summary>
internal static class Disk
{
    public static long AllocatedBytes(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%b", path]) { RedirectStandardOutput = true };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return long.Parse(output.Trim(), CultureInfo.InvariantCulture) * 512;
    }
}
