using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Rpc25519.Tools.TubeLocal;

/// <summary>Starting replicas in the background and stopping them by pid (SIGTERM, then SIGKILL after a bounded
/// wait). A pid counts as ours only while /proc says it runs a tube command, so a reused pid is never signalled.</summary>
internal static partial class LocalProcesses
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>Starts <c>tube -config FILE</c> in its own session (Ctrl-C in this terminal does not reach it), with
    /// output appended to <paramref name="log"/>; returns its pid.</summary>
    public static int Start(string[] tube, string config, string log)
    {
        var info = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh")
        {
            UseShellExecute = false,
        };
        if (info.FileName.EndsWith("setsid", StringComparison.Ordinal))
        {
            info.ArgumentList.Add("/bin/sh");
        }

        // exec keeps the pid: setsid (not a group leader, so it does not fork) execs sh, which execs tube.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$TUBE_LOCAL_LOG\" 2>&1 </dev/null");
        foreach (string part in tube)
        {
            info.ArgumentList.Add(part);
        }

        info.ArgumentList.Add("-config");
        info.ArgumentList.Add(config);
        info.Environment["TUBE_LOCAL_LOG"] = log;
        using Process process = Process.Start(info) ?? throw new IOException($"cannot start {tube[0]}");
        return process.Id;
    }

    /// <summary>True while <paramref name="pid"/> is a live (not zombie) process running tube.</summary>
    public static bool IsTube(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            string command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return state != "Z" && state != "X" && command.Contains("tube", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static int? ReadPid(string pidFile) =>
        File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None,
            CultureInfo.InvariantCulture, out int pid) ? pid : null;

    /// <summary>SIGTERM, wait up to <paramref name="grace"/> for a clean exit, then SIGKILL. Returns how it
    /// ended.</summary>
    public static async Task<string> StopAsync(int pid, TimeSpan grace)
    {
        if (!IsTube(pid))
        {
            return "was not running";
        }

        Kill(pid, SigTerm);
        if (await WaitGoneAsync(pid, grace))
        {
            return "stopped (SIGTERM)";
        }

        Kill(pid, SigKill);
        return await WaitGoneAsync(pid, TimeSpan.FromSeconds(5))
            ? $"killed (SIGKILL after {grace.TotalSeconds:0} s)"
            : "still running after SIGKILL";
    }

    private static async Task<bool> WaitGoneAsync(int pid, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (!IsTube(pid))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return !IsTube(pid);
    }

    private static void Kill(int pid, int signal)
    {
        if (NativeKill(pid, signal) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            const int NoSuchProcess = 3;
            if (errno != NoSuchProcess)
            {
                throw new IOException($"kill({pid}, {signal}) failed with errno {errno}");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
