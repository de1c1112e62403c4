using System.Diagnostics;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>What one etcdctl run printed.</summary>
public sealed record EtcdctlResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs Debian's etcdctl (ETCDCTL_API=3) against an endpoint, bounded in time.</summary>
public static class Etcdctl
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>The etcdctl path, or a failure that says to install etcd-client.</summary>
    public static string Require() =>
        Tools.Find("etcdctl") ?? throw new Xunit.Sdk.XunitException(
            "etcdctl not found on PATH: install etcd-client (apt-get install etcd-client); the etcd API tests run it");

    public static ProcessStartInfo StartInfo(string endpoint, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Require())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        start.ArgumentList.Add($"--endpoints={endpoint}");
        start.ArgumentList.Add("--command-timeout=10s");
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    public static async Task<EtcdctlResult> RunAsync(string endpoint, IEnumerable<string> args, string? stdin = null)
    {
        using var process = Process.Start(StartInfo(endpoint, args))!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"etcdctl {string.Join(' ', args)} did not finish in {Limit}");
        }

        return new EtcdctlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command and returns its stdout, failing on a non-zero exit.</summary>
    public static async Task<string> OkAsync(string endpoint, params string[] args)
    {
        var result = await RunAsync(endpoint, args);
        Assert.True(result.ExitCode == 0,
            $"etcdctl {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
        return result.Stdout;
    }
}

/// <summary>Finds programs on PATH.</summary>
public static class Tools
{
    public static string? Find(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string path = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}

/// <summary>The shared servers: one Tube cluster with its etcd endpoint, one real etcd.</summary>
[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<TubeEtcdCluster>, ICollectionFixture<RealEtcd>
{
    public const string Name = "etcd endpoint";
}
