using System.Diagnostics;

namespace Rpc25519.Tube.Cli.Tests;

/// <summary>A local three-node cluster brought up with the built <c>tube-local up</c> in a temporary directory (its
/// own keys, free loopback ports), shared by the tests of one class and stopped with <c>tube-local down</c>.</summary>
public sealed class LocalCluster : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "tube-cli-" + Guid.NewGuid().ToString("N"));

    public string Config => Path.Combine(Root, "cluster", "node_0.cfg");

    public string UpOutput { get; private set; } = "";

    /// <summary>The flags that point a client tool at this cluster.</summary>
    public string[] Target => ["-config", Config];

    public async Task InitializeAsync()
    {
        ToolRun up = await RunAsync("tube-local", "up", "--dir", Path.Combine(Root, "cluster"), "--certs",
            Path.Combine(Root, "certs"), "--private", Path.Combine(Root, "private"), "--base-port", "0");
        if (up.Code != 0)
        {
            await DisposeAsync();
        }

        Assert.True(up.Code == 0, up.ToString());
        UpOutput = up.Output;
    }

    public async Task DisposeAsync()
    {
        int[] pids = [.. Directory.Exists(Path.Combine(Root, "cluster"))
            ? Directory.GetFiles(Path.Combine(Root, "cluster"), "*.pid").Select(f => int.Parse(File.ReadAllText(f)))
            : []];
        ToolRun down = await RunAsync("tube-local", "down", "--dir", Path.Combine(Root, "cluster"), "--wait", "10s");
        foreach (int pid in pids)
        {
            // tube-local down waits for each replica to exit; none may be left behind.
            Assert.False(IsRunning(pid), $"replica pid {pid} still runs after tube-local down: {down}");
        }

        Directory.Delete(Root, recursive: true);
    }

    public Task<ToolRun> RunAsync(string tool, params string[] args) => ToolRun.RunAsync(tool, null, Environment(), args);

    public Task<ToolRun> RunWithInputAsync(string tool, string stdin, params string[] args) =>
        ToolRun.RunAsync(tool, stdin, Environment(), args);

    /// <summary>The client tools' environment: no inherited TUBE_CONFIG; history and state under the test root.</summary>
    private Dictionary<string, string> Environment() => new() { ["XDG_STATE_HOME"] = Path.Combine(Root, "state") };

    private static bool IsRunning(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited && File.Exists($"/proc/{pid}/cmdline")
                && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
