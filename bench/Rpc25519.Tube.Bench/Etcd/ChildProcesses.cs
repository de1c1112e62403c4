using System.Diagnostics;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// Every child process the comparison starts, so that all of them end with it: on a normal end, an exception,
/// Ctrl-C or SIGTERM. Children also watch their standard input and stop when it closes, which covers a parent killed
/// outright.
/// </summary>
internal static class ChildProcesses
{
    private static readonly List<Process> Started = [];

    public static Process Track(Process process)
    {
        lock (Started)
        {
            Started.Add(process);
        }

        return process;
    }

    /// <summary>Asks a child to stop (closes its input), waits a little, then kills it and its descendants.</summary>
    public static void Stop(Process child, bool closeInput)
    {
        try
        {
            if (closeInput && !child.HasExited)
            {
                child.StandardInput.Close();
                child.WaitForExit(TimeSpan.FromSeconds(5));
            }

            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills every tracked child that still runs.</summary>
    public static void KillAll()
    {
        Process[] all;
        lock (Started)
        {
            all = [.. Started];
        }

        foreach (Process child in all)
        {
            try
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }
}
