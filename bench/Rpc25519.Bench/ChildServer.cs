using System.Diagnostics;
using System.Globalization;

namespace Rpc25519.Bench;

/// <summary>
/// Runs a server of the benchmark in a process of its own: this executable again, with a flag that makes it serve,
/// talking over its standard input and output (the first line it writes is its port).
/// </summary>
internal static class ChildServer
{
    public static Process Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the child with <paramref name="environment"/> added to this process's environment (e.g. GC
    /// settings).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        // Started as "dotnet Rpc25519.Bench.dll" the host needs the assembly path; started through the apphost
        // (as dotnet run does) it must not get it.
        string host = Environment.ProcessPath!;
        string[] all = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [typeof(ChildServer).Assembly.Location, .. arguments]
            : arguments;
        var start = new ProcessStartInfo(host, all)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>The port the child listens on, from its first line of output.</summary>
    public static async Task<int> ReadPortAsync(Process child) =>
        int.Parse((await child.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
}
