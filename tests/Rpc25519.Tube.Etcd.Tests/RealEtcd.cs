using System.Diagnostics;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>A real etcd (Debian's etcd-server) on loopback ports with a temporary data directory, started for the
/// comparison tests and killed at the end. Missing etcd is a failure that says what to install.</summary>
public sealed class RealEtcd : IAsyncLifetime
{
    private readonly string dataDir = Directory.CreateTempSubdirectory("real-etcd-").FullName;
    private Process? process;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        string etcd = Tools.Find("etcd") ?? "";
        if (etcd.Length == 0)
        {
            // Reported by every test that uses it (a fixture that throws fails them all).
            return;
        }

        int client = TubeEtcdCluster.FreePort();
        int peer = TubeEtcdCluster.FreePort();
        Address = $"127.0.0.1:{client}";
        var start = new ProcessStartInfo(etcd)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "--name", "cmp", "--data-dir", dataDir,
                     "--listen-client-urls", $"http://{Address}", "--advertise-client-urls", $"http://{Address}",
                     "--listen-peer-urls", $"http://127.0.0.1:{peer}",
                     "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
                     "--initial-cluster", $"cmp=http://127.0.0.1:{peer}", "--log-level", "error",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready when a read answers (bounded).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var probe = await Etcdctl.RunAsync(Address, ["get", "probe"]);
            if (probe.ExitCode == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                throw new InvalidOperationException($"etcd did not come up at {Address}: {probe.Stderr}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The address, or a failure that says to install etcd-server.</summary>
    public string RequireAddress()
    {
        Assert.True(Address.Length > 0,
            "etcd not found on PATH: install etcd-server (apt-get install etcd-server) to compare Tube with a real etcd");
        return Address;
    }

    public async Task DisposeAsync()
    {
        if (process is not null)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }

        Directory.Delete(dataDir, recursive: true);
    }
}
