using System.Diagnostics;
using System.Globalization;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.StorageCrashChild;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// The real-file crash test. A child process (tests/Rpc25519.Tube.StorageCrashChild) writes through
/// <see cref="FileRaftStorage"/> with several flushes in flight and compacts now and then, printing each index once
/// its flush completed. The test kills it with SIGKILL after a seeded number of such reports (so at a random point
/// of its work: mid-write, mid-fsync, mid-snapshot), reopens the directory, and checks that the chain verifies and
/// that every index ever reported durable is there with its data. Several rounds run on the same directory, each
/// child recovering what the previous one left.
/// </summary>
public sealed class RealCrashTests
{
    private const int Rounds = 8;

    [Fact]
    public async Task EveryIndexReportedDurableSurvivesSigkill()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tube-crash-" + Guid.NewGuid().ToString("N"));
        var random = new Random(20261206);
        long reported = 0;
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                int killAfter = round == 0 ? 1 : random.Next(0, 800);
                var (ready, durable) = await RunChildUntilKilled(directory, round, killAfter);
                Assert.True(ready >= reported, $"round {round}: the child recovered up to {ready}, but {reported} " +
                    "had been reported durable");
                reported = Math.Max(reported, durable);
                await VerifyAsync(directory, reported, round);
            }

            Assert.True(reported > 500, $"the children reported only {reported} indexes durable in {Rounds} rounds");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task VerifyAsync(string directory, long reported, int round)
    {
        await using var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = directory });
        var recovered = storage.Recovered;
        Assert.True(storage.LastIndex >= reported, $"round {round}: index {reported} was reported durable, the log " +
            $"ends at {storage.LastIndex}");
        if (recovered.Snapshot is { } snapshot)
        {
            Assert.Equal(EntryData.For(snapshot.Index), snapshot.Data.ToArray());
        }

        foreach (var entry in recovered.Entries)
        {
            Assert.True(EntryData.For(entry.Index).AsSpan().SequenceEqual(entry.Data.Span),
                $"round {round}: entry {entry.Index} has the wrong data");
        }
    }

    /// <summary>Starts the child, kills it after <paramref name="killAfter"/> durable reports, and returns what it
    /// recovered at start and the highest index it reported durable before dying.</summary>
    private static async Task<(long Ready, long Durable)> RunChildUntilKilled(string directory, int seed,
        int killAfter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var child = Process.Start(ChildStartInfo(directory, seed))!;
        var errors = child.StandardError.ReadToEndAsync(timeout.Token);
        long ready = -1;
        long durable = 0;
        int reports = 0;
        bool killed = false;
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.EndsWith(';'))
            {
                continue; // cut short by the kill
            }

            var parts = line.TrimEnd(';').Split(' ');
            long index = long.Parse(parts[1], CultureInfo.InvariantCulture);
            if (parts[0] == "ready")
            {
                ready = index;
            }
            else
            {
                Assert.Equal(durable == 0 ? index : durable + 1, index);
                durable = index;
                reports++;
            }

            if (!killed && ready >= 0 && reports >= killAfter)
            {
                child.Kill(entireProcessTree: true);
                killed = true;
            }
        }

        await child.WaitForExitAsync(timeout.Token);
        Assert.True(killed, $"the child exited by itself (code {child.ExitCode}): {await errors}");
        Assert.True(ready >= 0, "the child never finished recovery");
        return (ready, durable);
    }

    private static ProcessStartInfo ChildStartInfo(string directory, int seed)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Rpc25519.Tube.StorageCrashChild.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host
            ? host
            : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(directory);
        info.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        return info;
    }
}
