using System.Diagnostics;
using System.Text.RegularExpressions;
using Rpc25519.JSync.Tests.Support;
using Rpc25519.Tube.Cli.Tests;

namespace Rpc25519.JSync.Tests.Transport;

/// <summary>
/// jcp's --progress as a user sees it: the built jcp run as its own process, once on a pseudo-terminal (util-linux
/// <c>script</c>, as the Tube CLI tests use it) where it must draw a Spectre.Console bar with files, bytes, rate and
/// time left, and once with its output in a pipe, where it must print plain lines without terminal control sequences.
/// </summary>
public sealed partial class ProgressTerminalTests : TransportTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public ProgressTerminalTests(JSyncCerts certs) : base(certs)
    {
    }

    [Fact]
    public async Task On_a_terminal_progress_is_a_bar_with_files_bytes_rate_and_time_left()
    {
        int files = MakeTree();
        await using ToolTests.Jsrv server = await ToolTests.Jsrv.StartAsync(["-root", ServerRoot, "-certs", Certs.CertsDir]);
        string screen;
        await using (TerminalSession terminal = TerminalSession.Start("jcp",
                         new Dictionary<string, string> { ["TERM"] = "xterm-256color" },
                         JcpArgs(server.HostPort)))
        {
            int code = await terminal.ExitAsync();
            screen = terminal.Screen;
            Assert.True(code == 0, $"jcp exited with {code}; the screen: {screen}");
        }
        Assert.Contains('\u001b', screen); // drawn in place with terminal control sequences
        Assert.Contains($"files {files}/{files}", screen, StringComparison.Ordinal); // files done / total at the end
        Assert.Contains("100%", screen, StringComparison.Ordinal);
        Assert.Matches(ByteAmount(), screen);        // bytes done (Spectre's download column)
        Assert.Matches(Rate(), screen);              // transfer rate column
        Assert.Matches(TimeLeft(), screen);          // remaining-time column
        Assert.DoesNotContain("jcp: files", screen, StringComparison.Ordinal); // not the plain lines
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));
    }

    [Fact]
    public async Task In_a_pipe_progress_is_plain_lines_without_control_sequences()
    {
        int files = MakeTree();
        await using ToolTests.Jsrv server = await ToolTests.Jsrv.StartAsync(["-root", ServerRoot, "-certs", Certs.CertsDir]);
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "jcp.dll"));
        foreach (string arg in JcpArgs(server.HostPort))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["TERM"] = "xterm-256color"; // a terminal type alone must not bring the bar into a pipe
        using Process process = Process.Start(info)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(Patience))
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        Assert.True(process.ExitCode == 0, $"jcp exited with {process.ExitCode}: {await errors}");
        string text = await output;
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\r', text);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(PlainLine(), line));
        Assert.StartsWith($"jcp: files {files}/{files}, ", lines[^1], StringComparison.Ordinal);
        Assert.EndsWith("done", lines[^1], StringComparison.Ordinal);
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));
    }

    /// <summary>A sample tree; returns its number of files.</summary>
    private int MakeTree()
    {
        Trees.MakeSample(Source, seed: 27);
        return Directory.GetFiles(Source, "*", SearchOption.AllDirectories).Length;
    }

    private string[] JcpArgs(string hostPort) =>
        ["-r", "--progress", Source, $"{hostPort}:/data", "-certs", Certs.CertsDir, "-known", "none"];

    [GeneratedRegex(@"\d+(\.\d+)? (bytes|KiB|MiB|GiB)")]
    private static partial Regex ByteAmount();

    [GeneratedRegex(@"\d+(\.\d+)? (bytes|KiB|MiB|GiB)/s")]
    private static partial Regex Rate();

    [GeneratedRegex(@"(--:--:--|\d\d:\d\d:\d\d)")]
    private static partial Regex TimeLeft();

    [GeneratedRegex(@"^jcp: files \d+/\d+, \d+\.\d/\d+\.\d MB, \d+\.\d MB/s, (ETA \d\d:\d\d:\d\d|ETA unknown|done)$")]
    private static partial Regex PlainLine();
}
