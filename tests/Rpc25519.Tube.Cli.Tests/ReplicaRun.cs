using System.Diagnostics;
using System.Text;

namespace Rpc25519.Tube.Cli.Tests;

/// <summary>A built <c>tube</c> replica running as a process (<c>dotnet tube.dll ARGS</c>) for as long as a test
/// needs it, with its output kept; killed on dispose.</summary>
public sealed class ReplicaRun : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ReplicaRun(Process process) => this.process = process;

    /// <summary>Everything the replica printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static ReplicaRun Start(params string[] args)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tube.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var run = new ReplicaRun(Process.Start(info)!);
        run.process.OutputDataReceived += (_, e) => run.Keep(e.Data);
        run.process.ErrorDataReceived += (_, e) => run.Keep(e.Data);
        run.process.BeginOutputReadLine();
        run.process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails the test after
    /// <see cref="ToolRun.Limit"/> or when the replica exits first.</summary>
    public async Task WaitForAsync(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                Assert.Fail($"tube exited ({process.ExitCode}) before printing '{text}': {Output}");
            }

            if (clock.Elapsed > ToolRun.Limit)
            {
                Assert.Fail($"tube did not print '{text}' within {ToolRun.Limit.TotalSeconds:0} s: {Output}");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
