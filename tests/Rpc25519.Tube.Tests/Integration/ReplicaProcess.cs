using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>One <c>tube</c> replica as a real process (<c>dotnet tube.dll -config FILE</c>, copied beside the tests by
/// the project reference), with its output kept for failure messages, and the signals a fault test sends it.
/// <paramref name="launcher"/> runs it through a command that execs it in place (<c>ip netns exec NS</c>), so the
/// process id is still the replica's.</summary>
internal sealed partial class ReplicaProcess(string name, string config, string address,
    IReadOnlyList<string>? launcher = null) : IDisposable
{
    private const int SigStop = 19;
    private const int SigCont = 18;
    private readonly StringBuilder output = new();
    private Process? process;

    public string Name { get; } = name;

    public string Config { get; } = config;

    public string Address { get; } = address;

    public bool Running => process is { HasExited: false };

    public bool Paused { get; private set; }

    /// <summary>What the process printed so far (the last 4,000 characters).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.Length > 4000 ? output.ToString(output.Length - 4000, 4000) : output.ToString();
            }
        }
    }

    public void Start()
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : dotnet)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (launcher is { Count: > 0 })
        {
            foreach (string part in launcher.Skip(1))
            {
                info.ArgumentList.Add(part);
            }

            info.ArgumentList.Add(dotnet);
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tube.dll"));
        info.ArgumentList.Add("-config");
        info.ArgumentList.Add(Config);
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Paused = false;
    }

    /// <summary>SIGKILL: the process dies at once; what it had not fsynced may be lost (the page cache keeps the
    /// rest, as after a process crash).</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        Paused = false;
    }

    public void Pause()
    {
        Signal(SigStop);
        Paused = true;
    }

    public void Resume()
    {
        Signal(SigCont);
        Paused = false;
    }

    public void Dispose()
    {
        if (Paused)
        {
            Resume();
        }

        Kill();
        process?.Dispose();
    }

    private void Signal(int signal)
    {
        if (process is { HasExited: false } && NativeKill(process.Id, signal) != 0)
        {
            throw new IOException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
