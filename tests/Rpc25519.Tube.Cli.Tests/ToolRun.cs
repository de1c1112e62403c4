using System.Diagnostics;

namespace Rpc25519.Tube.Cli.Tests;

/// <summary>What one run of a built tool printed and how it exited.</summary>
public sealed record ToolRun(int Code, string Output, string Errors)
{
    /// <summary>The longest any one tool run may take before the test kills it and fails.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>dotnet TOOL.dll ARGS</c> from the test's output directory with <paramref name="stdin"/> as
    /// its input, and kills it (failing the test) if it runs past <see cref="Limit"/>.</summary>
    public static async Task<ToolRun> RunAsync(string tool, string? stdin, IDictionary<string, string>? environment,
        params string[] args)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, tool + ".dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("TUBE_CONFIG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} {string.Join(' ', args)} did not exit within {Limit.TotalSeconds:0} s: " +
                $"{await output} {await errors}");
        }

        return new ToolRun(process.ExitCode, await output, await errors);
    }

    public override string ToString() => $"exit {Code}; stdout: {Output}; stderr: {Errors}";
}
