using System.Diagnostics;

namespace Rpc25519.SimNet.Tests;

/// <summary>Runs the SimNet runner (built next to the tests) in a new process: a process of its own, where
/// process-wide escape counters mean something and hash seeds differ.</summary>
internal static class RunnerProcess
{
    public static (int ExitCode, string Output) Run(string arguments, int processorCount, bool expectSuccess,
        int timeoutSeconds = 120)
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = baseDirectory.Name;
        string configuration = baseDirectory.Parent!.Name;
        string runner = Path.GetFullPath(Path.Combine(baseDirectory.FullName, "..", "..", "..", "..",
            "Rpc25519.SimNet.Runner", "bin", configuration, framework, "Rpc25519.SimNet.Runner.dll"));
        Assert.True(File.Exists(runner), $"runner not built at {runner}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(runner);
        foreach (string argument in arguments.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_PROCESSOR_COUNT"] =
            processorCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)),
            $"runner did not finish in {timeoutSeconds} s");
        if (expectSuccess)
        {
            Assert.True(process.ExitCode == 0, $"runner failed ({process.ExitCode}): {error.Result}{output}");
        }
        return (process.ExitCode, output.Trim() + error.Result);
    }
}
