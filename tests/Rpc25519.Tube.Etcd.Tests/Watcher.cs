using System.Diagnostics;
using System.Text;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>etcdctl watch running in the background; its output is collected and read with a bounded wait.</summary>
public sealed class Watcher : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    public Watcher(string endpoint, params string[] args)
    {
        process = Process.Start(Etcdctl.StartInfo(endpoint, ["watch", .. args]))!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Append(e.Data).Append('\n');
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

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

    /// <summary>Waits until the output ends with <paramref name="tail"/> (at most 15 s), then returns it.</summary>
    public async Task<string> WaitForAsync(string tail)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!Output.EndsWith(tail, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the watcher did not print '{tail}' in 15 s; it printed:\n{Output}");
            Assert.False(process.HasExited, $"etcdctl watch exited with {(process.HasExited ? process.ExitCode : 0)}:\n{Output}");
            await Task.Delay(20);
        }

        return Output;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }
}
