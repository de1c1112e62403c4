using System.Diagnostics;

namespace Rpc25519.Packaging.Tests;

/// <summary>Runs the commands a user types in this repository (dotnet pack, build, run) and finds its root.</summary>
internal static class RepositoryCommands
{
    /// <summary>How long one command may run before the test fails.</summary>
    public static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(5);

    /// <summary>The folder holding Rpc25519.slnx above the test's binaries.</summary>
    public static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rpc25519.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Rpc25519.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="directory"/> and returns its output (standard
    /// output, then standard error); fails the test if it exits with anything but 0 or runs past
    /// <see cref="StepLimit"/>.</summary>
    public static Task<string> RunAsync(string directory, string program, params string[] arguments) =>
        RunExpectingAsync(0, directory, program, arguments);

    /// <summary>As <see cref="RunAsync"/>, but the command must exit with <paramref name="exitCode"/>.</summary>
    public static async Task<string> RunExpectingAsync(int exitCode, string directory, string program,
        params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(StepLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{program} {string.Join(' ', arguments)}' ran longer than {StepLimit}");
        }
        string output = await stdout + await stderr;
        Assert.True(process.ExitCode == exitCode,
            $"'{program} {string.Join(' ', arguments)}' in {directory} exited {process.ExitCode}:\n{output}");
        return output;
    }
}
