using System.Diagnostics;
using System.Text;

namespace Rpc25519.Tube.Cli.Tests;

/// <summary>A built tool run on a pseudo-terminal through util-linux <c>script</c>, so that it sees a terminal (tup's
/// line editor and history need one). Keys are sent with <see cref="SendAsync"/>; <see cref="WaitForAsync"/> waits,
/// bounded, until the screen output holds a text.</summary>
internal sealed class TerminalSession : IAsyncDisposable
{
    private const string Script = "/usr/bin/script";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Process process;
    private readonly StringBuilder screen = new();
    private readonly Task reader;

    private TerminalSession(Process process)
    {
        this.process = process;
        reader = Task.Run(ReadAsync);
    }

    public string Screen
    {
        get
        {
            lock (screen)
            {
                return screen.ToString();
            }
        }
    }

    public static TerminalSession Start(string tool, IDictionary<string, string> environment, params string[] args)
    {
        Assert.True(File.Exists(Script), $"{Script} is missing: install util-linux's bsdutils (apt-get install bsdutils); " +
            "the terminal tests run tup on a pseudo-terminal through it");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        string command = string.Join(' ', new[] { dotnet, Path.Combine(AppContext.BaseDirectory, tool + ".dll") }
            .Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var info = new ProcessStartInfo(Script)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-q", "-e", "-c", command, "/dev/null"])
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("TUBE_CONFIG");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new TerminalSession(Process.Start(info)!);
    }

    public async Task SendAsync(string keys)
    {
        await process.StandardInput.WriteAsync(keys);
        await process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until <paramref name="text"/> appears on the screen (after the first
    /// <paramref name="after"/>, when given).</summary>
    public async Task WaitForAsync(string text, string? after = null)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!Shows(Screen, text, after))
        {
            Assert.False(deadline.IsCancellationRequested, $"'{text}' did not appear within " +
                $"{Patience.TotalSeconds:0} s; the screen: {Screen}");
            Assert.False(process.HasExited && reader.IsCompleted, $"the tool exited; the screen: {Screen}");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Waits (bounded) for the tool to exit and returns its exit code.</summary>
    public async Task<int> ExitAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(deadline.Token);
        await reader;
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static bool Shows(string screen, string text, string? after)
    {
        int start = after is null ? 0 : screen.IndexOf(after, StringComparison.Ordinal);
        return start >= 0 && screen.IndexOf(text, start, StringComparison.Ordinal) >= 0;
    }

    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            lock (screen)
            {
                screen.Append(buffer, 0, read);
            }
        }
    }
}
