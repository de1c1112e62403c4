using static Rpc25519.SimNet.Analyzers.Tests.Verify;

namespace Rpc25519.SimNet.Analyzers.Tests;

public sealed class DeterminismAnalyzerTests
{
    [Fact]
    public Task Wall_clock_reads_are_flagged() => Analyzer("""
        using System;
        using System.Diagnostics;
        class C
        {
            long M()
            {
                var a = {|#0:DateTime.Now|};
                var b = {|#1:DateTime.UtcNow|};
                var c = {|#2:DateTime.Today|};
                var d = {|#3:DateTimeOffset.Now|};
                var e = {|#4:DateTimeOffset.UtcNow|};
                var f = {|#5:Environment.TickCount64|};
                var g = {|#6:Stopwatch.StartNew()|};
                var h = {|#7:new Stopwatch()|};
                return {|#8:Stopwatch.GetTimestamp()|};
            }
        }
        """,
        [.. Enumerable.Range(0, 9).Select(i => Diagnostic(DiagnosticIds.WallClock).WithLocation(i))]);

    [Fact]
    public Task Work_off_the_scheduler_is_flagged_but_StartNew_on_a_scheduler_is_not() => Analyzer("""
        using System.Threading;
        using System.Threading.Tasks;
        class C
        {
            void M(TaskScheduler scheduler)
            {
                {|#0:Task.Run(() => { })|};
                {|#1:Task.Factory.StartNew(() => { })|};
                Task.Factory.StartNew(() => { }, CancellationToken.None, TaskCreationOptions.None, scheduler);
                {|#2:ThreadPool.QueueUserWorkItem(_ => { })|};
                {|#3:Parallel.For(0, 3, _ => { })|};
                {|#4:new Thread(() => { })|}.Start();
            }
        }
        """,
        [.. Enumerable.Range(0, 5).Select(i => Diagnostic(DiagnosticIds.OffScheduler).WithLocation(i))]);

    [Fact]
    public Task ConfigureAwait_false_is_flagged_and_true_is_not() => Analyzer("""
        using System.Threading.Tasks;
        class C
        {
            async Task M(Task t, ValueTask<int> v)
            {
                await {|#0:t.ConfigureAwait(false)|};
                await {|#1:v.ConfigureAwait(false)|};
                await t.ConfigureAwait(true);
                await {|#2:t.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing)|};
                await t.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
        }
        """,
        [.. Enumerable.Range(0, 3).Select(i => Diagnostic(DiagnosticIds.ConfigureAwaitFalse).WithLocation(i))]);

    [Fact]
    public Task Real_timers_are_flagged_and_TimeProvider_overloads_are_not() => Analyzer("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        class C
        {
            async Task M(TimeProvider time, Task t)
            {
                await {|#0:Task.Delay(10)|};
                await {|#1:Task.Delay(TimeSpan.FromSeconds(1))|};
                await Task.Delay(TimeSpan.FromSeconds(1), time);
                using var a = {|#2:new CancellationTokenSource(TimeSpan.FromSeconds(1))|};
                using var b = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
                using var c = new CancellationTokenSource();
                await {|#3:t.WaitAsync(TimeSpan.FromSeconds(1))|};
                await t.WaitAsync(TimeSpan.FromSeconds(1), time);
                using var d = {|#4:new Timer(_ => { }, null, 10, 10)|};
                using var e = {|#5:new System.Timers.Timer(10)|};
                {|#6:Thread.Sleep(1)|};
            }
        }
        """,
        [.. Enumerable.Range(0, 7).Select(i => Diagnostic(DiagnosticIds.RealTimer).WithLocation(i))]);

    [Fact]
    public Task Unseeded_randomness_is_flagged_and_a_seeded_Random_is_not() => Analyzer("""
        using System;
        class C
        {
            void M()
            {
                var a = {|#0:new Random()|};
                var b = new Random(42);
                var c = {|#1:Random.Shared|}.Next();
                var d = {|#2:Guid.NewGuid()|};
            }
        }
        """,
        [.. Enumerable.Range(0, 3).Select(i => Diagnostic(DiagnosticIds.UnseededRandom).WithLocation(i))]);

    [Fact]
    public Task Orders_that_change_between_processes_are_flagged() => Analyzer("""
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        class C
        {
            int M(ConcurrentDictionary<string, int> map, ConcurrentBag<int> bag, Dictionary<string, int> plain)
            {
                int sum = 0;
                foreach (var pair in {|#0:map|}) { sum += pair.Value; }
                foreach (var item in {|#1:bag|}) { sum += item; }
                foreach (var pair in plain) { sum += pair.Value; }
                return sum + {|#2:"key".GetHashCode()|};
            }
        }
        """,
        [.. Enumerable.Range(0, 3).Select(i => Diagnostic(DiagnosticIds.ProcessOrder).WithLocation(i))]);

    [Fact]
    public Task Clean_code_has_no_diagnostics() => Analyzer("""
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        class C
        {
            async Task<DateTimeOffset> M(TimeProvider time, Random random, TaskScheduler scheduler)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(10)), time);
                await Task.Factory.StartNew(() => { }, CancellationToken.None, TaskCreationOptions.None, scheduler);
                long start = time.GetTimestamp();
                _ = time.GetElapsedTime(start);
                return time.GetUtcNow();
            }
        }
        """);
}
