using System.Net;
using System.Net.Sockets;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;
using Rpc25519.Tools.Jcp;
using Rpc25519.Tools.Jsrv;

namespace Rpc25519.JSync.Tests.Transport;

/// <summary>The jsrv and jcp command lines, run in-process through their entry points over TLS on loopback: flags,
/// output and exit codes (0 success, 1 failed sync, 2 bad command line).</summary>
public sealed class ToolTests : TransportTestBase
{
    public ToolTests(JSyncCerts certs) : base(certs)
    {
    }

    [Fact]
    public async Task Jcp_pushes_and_pulls_through_jsrv_with_stats_dry_run_and_excludes()
    {
        Trees.MakeSample(Source, seed: 21);
        await using Jsrv server = await Jsrv.StartAsync(["-root", ServerRoot, "-certs", Certs.CertsDir]);
        string remote = $"{server.HostPort}:/data";

        (int code, string output, string errors) = await Jcp("-r", "--stats", Source, remote);
        Assert.True(code == 0, errors);
        Assert.Contains("speedup is", output, StringComparison.Ordinal);
        Assert.Contains("Total bytes sent:", output, StringComparison.Ordinal);
        Trees.AssertSame(Source, Path.Join(ServerRoot, "data"));

        // Dry run with -v: reports, writes nothing.
        Trees.Write(Source, "added.txt", Trees.RandomBytes(1000, 22));
        string before = Trees.Snapshot(ServerRoot);
        (code, output, errors) = await Jcp("-r", "-v", "--dry-run", Source, remote);
        Assert.True(code == 0, errors);
        Assert.Contains("would create file added.txt", output, StringComparison.Ordinal);
        Assert.Equal(before, Trees.Snapshot(ServerRoot));

        // Pull back, leaving out two patterns.
        string back = Temp("back");
        (code, _, errors) = await Jcp("-r", "--exclude", "big.bin", "--exclude", "sub1/", remote, back);
        Assert.True(code == 0, errors);
        Assert.False(File.Exists(Path.Join(back, "big.bin")));
        Assert.False(Directory.Exists(Path.Join(back, "dir0/sub1")));
        Assert.True(File.Exists(Path.Join(back, "dir0/sub0/file0.dat")));
    }

    [Fact]
    public async Task Jcp_progress_prints_plain_lines_with_files_and_bytes_when_the_output_is_not_a_terminal()
    {
        Trees.MakeSample(Source, seed: 24);
        string[] files = Directory.GetFiles(Source, "*", SearchOption.AllDirectories);
        long bytes = files.Sum(f => new FileInfo(f).Length);
        await using Jsrv server = await Jsrv.StartAsync(["-root", ServerRoot, "-certs", Certs.CertsDir]);
        string expected = $"jcp: files {files.Length}/{files.Length}, {bytes / 1e6:F1}/{bytes / 1e6:F1} MB, ";
        foreach (string[] args in new[] { new[] { "-r", "--progress", Source, $"{server.HostPort}:/data" },
                     ["-r", "-P", $"{server.HostPort}:/data", Temp("back")] })
        {
            (int code, string output, string errors) = await Jcp(args);
            Assert.True(code == 0, errors);
            string last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.StartsWith(expected, last, StringComparison.Ordinal);
            Assert.EndsWith("done", last.TrimEnd(), StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', output); // no terminal control sequences in a pipe
        }
    }

    [Fact]
    public void A_progress_line_gives_the_time_left_at_the_current_rate()
    {
        Assert.Equal("jcp: files 1/4, 10.0/30.0 MB, 5.0 MB/s, ETA 00:00:04",
            ProgressDisplay.Line(new SyncProgress(1, 4, 10_000_000, 30_000_000), seconds: 2));
        Assert.Equal("jcp: files 0/4, 0.0/30.0 MB, 0.0 MB/s, ETA unknown", ProgressDisplay.Line(new SyncProgress(0, 4, 0, 30_000_000), 1));
    }

    [Fact]
    public async Task Jcp_rejects_bad_command_lines_with_exit_code_2()
    {
        string dir = Source;
        Assert.Equal(2, (await Jcp(dir, Temp("other"))).Code);
        Assert.Equal(2, (await Jcp("127.0.0.1:1:/a", "127.0.0.1:2:/b")).Code);
        Assert.Equal(2, (await Jcp(dir, "127.0.0.1:1:/a")).Code); // a directory without -r
        Assert.Equal(2, (await Jcp("-r", "--exclude", " ", dir, "127.0.0.1:1:/a")).Code);
        Assert.Equal(2, (await Jcp("--no-such-flag", dir, "127.0.0.1:1:/a")).Code);
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(2, await JsrvCommand.RunAsync(["-s", "127.0.0.1:0"], output, errors, null, CancellationToken.None));
        Assert.Contains("-root", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_flag_succeeds_without_the_required_arguments()
    {
        Assert.Equal(0, (await Jcp("--version")).Code);
        Assert.Equal(0, await JsrvCommand.RunAsync(["--version"], new StringWriter(), new StringWriter(), null,
            CancellationToken.None));
    }

    [Fact]
    public async Task Jcp_fails_with_exit_code_1_and_a_clear_error()
    {
        Trees.MakeSample(Source, seed: 23);
        await using (Jsrv readOnly = await Jsrv.StartAsync(["-root", ServerRoot, "-readonly", "-certs", Certs.CertsDir]))
        {
            (int code, _, string errors) = await Jcp("-r", Source, $"{readOnly.HostPort}:/data");
            Assert.Equal(1, code);
            Assert.Contains("read-only", errors, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(ServerRoot));

            (code, _, errors) = await Jcp("-r", Source, $"{readOnly.HostPort}:/../escape");
            Assert.Equal(1, code);
            Assert.Contains("..", errors, StringComparison.Ordinal);
        }

        // Nobody listens on a port that was just free.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        (int failed, _, string message) = await Jcp("-r", Source, $"127.0.0.1:{port}:/data");
        Assert.Equal(1, failed);
        Assert.StartsWith("jcp: error:", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jcp_pulls_a_directory_only_with_r_as_it_pushes_one()
    {
        Trees.MakeSample(Source, seed: 25);
        await using Jsrv server = await Jsrv.StartAsync(["-root", ServerRoot, "-certs", Certs.CertsDir]);
        Assert.Equal(0, (await Jcp("-r", Source, $"{server.HostPort}:/data")).Code);

        string back = Temp("back");
        (int code, _, string errors) = await Jcp($"{server.HostPort}:/data", back);
        Assert.Equal(1, code);
        Assert.Contains("pass -r", errors, StringComparison.Ordinal);
        Assert.False(Path.Exists(back));

        // A single file needs no -r either way; a directory with -r comes back whole.
        (code, _, errors) = await Jcp($"{server.HostPort}:/data/dir0/sub0/file0.dat", Temp("one.dat"));
        Assert.True(code == 0, errors);
        (code, _, errors) = await Jcp("-r", $"{server.HostPort}:/data", back);
        Assert.True(code == 0, errors);
        Trees.AssertSame(Source, back);
    }

    [Fact]
    public async Task Jsrv_and_jcp_add_the_pre_shared_key_layer_with_psk_and_refuse_a_client_without_it()
    {
        string psk = Temp("psk");
        Rpc25519.Security.SelfCertificates.GenerateSymmetricKey(psk);
        Trees.Write(Source, "one.txt", Trees.RandomBytes(2000, 26));
        await using Jsrv server = await Jsrv.StartAsync(["-root", ServerRoot, "-certs", Certs.CertsDir, "-psk", psk]);
        Assert.Contains("pre-shared key", server.Banner, StringComparison.Ordinal);
        (int code, _, string errors) = await Jcp("-psk", psk, Path.Join(Source, "one.txt"), $"{server.HostPort}:/one.txt");
        Assert.True(code == 0, errors);
        Assert.True(Trees.FilesEqual(Path.Join(Source, "one.txt"), Path.Join(ServerRoot, "one.txt")));

        string other = Temp("other-psk");
        Rpc25519.Security.SelfCertificates.GenerateSymmetricKey(other);
        foreach (string[] wrong in new[] { Array.Empty<string>(), ["-psk", other] })
        {
            (code, _, errors) = await Jcp([.. wrong, Path.Join(Source, "one.txt"), $"{server.HostPort}:/two.txt"]);
            Assert.Equal(1, code);
            Assert.StartsWith("jcp: error:", errors, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Join(ServerRoot, "two.txt")));
        }
        (code, _, errors) = await Jcp("-psk", Temp("missing"), Path.Join(Source, "one.txt"), $"{server.HostPort}:/two.txt");
        Assert.Equal(1, code);
        Assert.Contains("missing", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jsrv_and_jcp_work_over_plain_tcp_with_the_tcp_flag()
    {
        Trees.Write(Source, "one.txt", Trees.RandomBytes(2000, 24));
        await using Jsrv server = await Jsrv.StartAsync(["-root", ServerRoot, "-tcp"]);
        (int code, _, string errors) = await Jcp("-tcp", Path.Join(Source, "one.txt"), $"{server.HostPort}:/one.txt");
        Assert.True(code == 0, errors);
        Assert.True(Trees.FilesEqual(Path.Join(Source, "one.txt"), Path.Join(ServerRoot, "one.txt")));
        // --no-fsync: the same copy, without waiting for the server's disk.
        (code, _, errors) = await Jcp("-tcp", "--no-fsync", Path.Join(Source, "one.txt"), $"{server.HostPort}:/two.txt");
        Assert.True(code == 0, errors);
        Assert.True(Trees.FilesEqual(Path.Join(Source, "one.txt"), Path.Join(ServerRoot, "two.txt")));
    }

    private async Task<(int Code, string Output, string Errors)> Jcp(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        string[] all = [.. args, "-certs", Certs.CertsDir, "-known", "none"];
        int code = await JcpCommand.RunAsync(all, output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }

    /// <summary>jsrv running in-process on 127.0.0.1 with a free port.</summary>
    internal sealed class Jsrv : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task<int> _run;

        private readonly StringWriter _output;

        private Jsrv(CancellationTokenSource stop, Task<int> run, string hostPort, StringWriter output)
        {
            _stop = stop;
            _run = run;
            HostPort = hostPort;
            _output = output;
        }

        public string HostPort { get; }

        /// <summary>What jsrv printed so far (its first line says what it serves and how).</summary>
        public string Banner => _output.ToString();

        public static async Task<Jsrv> StartAsync(string[] args)
        {
            var stop = new CancellationTokenSource();
            var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errors = new StringWriter();
            var output = new StringWriter();
            Task<int> run = JsrvCommand.RunAsync([.. args, "-s", "127.0.0.1:0", "-known", "none"], output,
                errors, address => listening.TrySetResult(address), stop.Token);
            Task first = await Task.WhenAny(listening.Task, run);
            Assert.True(first == listening.Task, $"jsrv did not start: exit {(run.IsCompleted ? run.Result : -1)}, {errors}");
            return new Jsrv(stop, run, listening.Task.Result.Replace("tcp://", "", StringComparison.Ordinal), output);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            Assert.Equal(0, await _run);
            _stop.Dispose();
        }
    }
}
