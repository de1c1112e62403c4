using System.Diagnostics;
using Rpc25519.SimNet;

namespace Rpc25519.SimNet.Tests;

public sealed class ExecutorTests
{
    private static Simulation NewSimulation(ulong seed = 1, ScheduleMode mode = ScheduleMode.Fifo) =>
        new(new SimulationOptions { Seed = seed, ScheduleMode = mode, VirtualTimeMax = TimeSpan.FromHours(2) });

    [Fact]
    public void A_twenty_second_virtual_delay_takes_milliseconds_of_wall_time()
    {
        // Goal: virtual time jumps to the next timer instead of waiting. Method: await a 20 s delay on a node's clock
        // and check both the virtual time elapsed (exactly 20 s) and the wall time (well under a second).
        Simulation sim = NewSimulation();
        SimNode node = sim.AddNode("a");
        var wall = Stopwatch.StartNew();
        TimeSpan measured = sim.Run(() => node.Start(async () =>
        {
            long start = node.TimeProvider.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(20), node.TimeProvider);
            return node.TimeProvider.GetElapsedTime(start);
        }));
        wall.Stop();
        Assert.Equal(TimeSpan.FromSeconds(20), measured);
        Assert.Equal(TimeSpan.FromSeconds(20), sim.Elapsed);
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(3), $"20 s of virtual time took {wall.Elapsed} of wall time");
    }

    [Fact]
    public void Sleepers_wake_in_due_order_and_zero_delay_timers_fire_before_time_moves()
    {
        // Goal: timers fire in due order, and zero-delay timers fire at the current instant. Method: three nodes sleep
        // 300, 100 and 200 µs (raw timers: Task.Delay rounds down to whole milliseconds), and five zero-delay timers
        // record the virtual time they saw.
        Simulation sim = NewSimulation();
        var order = new List<string>();
        var zeroTimes = new List<TimeSpan>();
        sim.Run(async () =>
        {
            var tasks = new List<Task>();
            foreach ((string name, int micros) in new[] { ("c", 300), ("a", 100), ("b", 200) })
            {
                SimNode node = sim.AddNode(name);
                tasks.Add(node.Start(async () =>
                {
                    var woken = new TaskCompletionSource();
                    using ITimer timer = node.TimeProvider.CreateTimer(_ => woken.SetResult(), null,
                        TimeSpan.FromMicroseconds(micros), Timeout.InfiniteTimeSpan);
                    await woken.Task;
                    order.Add(name);
                }));
            }
            for (int i = 0; i < 5; i++)
            {
                tasks.Add(Task.Delay(TimeSpan.Zero, sim.Driver.TimeProvider)
                    .ContinueWith(_ => zeroTimes.Add(sim.Elapsed), TaskScheduler.Current));
            }
            await Task.WhenAll(tasks);
        });
        Assert.Equal(["a", "b", "c"], order);
        Assert.Equal(5, zeroTimes.Count);
        Assert.All(zeroTimes, time => Assert.Equal(TimeSpan.Zero, time));
        Assert.Equal(TimeSpan.FromMicroseconds(300), sim.Elapsed);
    }

    [Fact]
    public void Every_continuation_runs_on_the_simulation_thread_under_its_node()
    {
        // Goal: awaits, yields, semaphores and channels resume on the one simulation thread, under the node's context.
        // Method: record the thread id and context after each kind of await on two nodes.
        Simulation sim = NewSimulation();
        SimNode a = sim.AddNode("a");
        SimNode b = sim.AddNode("b");
        int testThread = Environment.CurrentManagedThreadId;
        var seen = new List<(int Thread, bool RightContext)>();
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var semaphore = new SemaphoreSlim(0);
        sim.Run(async () =>
        {
            Task waiter = a.Start(async () =>
            {
                await signal.Task;
                Seen(seen, a);
                await semaphore.WaitAsync();
                Seen(seen, a);
                await Task.Yield();
                Seen(seen, a);
            });
            Task releaser = b.Start(async () =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), b.TimeProvider);
                signal.SetResult();
                await Task.Delay(TimeSpan.FromMilliseconds(5), b.TimeProvider);
                Seen(seen, b);
                semaphore.Release();
            });
            await Task.WhenAll(waiter, releaser);
        });
        Assert.Equal(4, seen.Count);
        Assert.All(seen, s => Assert.Equal(testThread, s.Thread));
        Assert.All(seen, s => Assert.True(s.RightContext));
    }

    private static void Seen(List<(int Thread, bool RightContext)> seen, SimNode node) =>
        seen.Add((Environment.CurrentManagedThreadId, SynchronizationContext.Current == node.SynchronizationContext));

    [Fact]
    public void Power_off_drops_queued_work_and_timers_and_power_on_starts_a_fresh_process()
    {
        // Goal: a power-off is a true crash. Method: a node ticks every second; the driver kills it at 5.5 s; no tick
        // may follow, the killed loop never finishes, and after power-on a new loop on the new scheduler ticks again.
        Simulation sim = NewSimulation();
        SimNode node = sim.AddNode("n");
        var ticks = new List<(int Incarnation, double Seconds)>();
        Task? firstLoop = null;
        sim.Run(async () =>
        {
            firstLoop = node.Start(() => TickLoop(node, ticks, 100));
            await Task.Delay(TimeSpan.FromSeconds(5.5), sim.Driver.TimeProvider);
            Assert.True(node.PowerOff());
            Assert.False(node.IsPoweredOn);
            await Task.Delay(TimeSpan.FromSeconds(10), sim.Driver.TimeProvider);
            Assert.True(node.PowerOn());
            await node.Start(() => TickLoop(node, ticks, 2));
        });
        Assert.False(firstLoop!.IsCompleted);
        Assert.Equal([1.0, 2, 3, 4, 5], ticks.Where(t => t.Incarnation == 0).Select(t => t.Seconds));
        Assert.Equal([16.5, 17.5], ticks.Where(t => t.Incarnation == 1).Select(t => t.Seconds));
        Assert.Equal(1, node.Incarnation);
    }

    [Fact]
    public void Work_queued_for_a_killed_process_is_skipped_and_counted()
    {
        Simulation sim = NewSimulation();
        SimNode node = sim.AddNode("n");
        bool ran = false;
        sim.Run(async () =>
        {
            TaskScheduler killed = node.TaskScheduler;
            Assert.True(node.PowerOff());
            _ = Task.Factory.StartNew(() => ran = true, CancellationToken.None, TaskCreationOptions.None, killed);
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
        });
        Assert.False(ran);
        Assert.Equal(1, sim.Executor.SkippedDead);
    }

    private static async Task TickLoop(SimNode node, List<(int, double)> ticks, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), node.TimeProvider);
            ticks.Add((node.Incarnation, (node.TimeProvider.GetUtcNow() - VirtualTimeProvider.Epoch).TotalSeconds));
        }
    }

    [Fact]
    public void A_run_that_can_never_finish_is_reported_as_a_deadlock_with_the_seed()
    {
        // Goal: waiting on something that never happens fails fast instead of hanging. Method: await a task nobody
        // completes; expect a SimulationException naming the deadlock and carrying the seed and the recent events.
        Simulation sim = NewSimulation(seed: 77);
        var never = new TaskCompletionSource();
        var error = Assert.Throws<SimulationException>(() => sim.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            await never.Task;
        }));
        Assert.Contains("Deadlock", error.Message);
        Assert.Contains("seed=77", error.Message);
        Assert.Contains("Last events", error.Message);
        Assert.Equal(77UL, error.Seed);
        Assert.Equal(TimeSpan.FromSeconds(1), error.VirtualTime);
    }

    [Fact]
    public void Step_and_virtual_time_limits_stop_runaway_runs_at_a_replayable_step()
    {
        // Goal: loops are bounded, and the same seed stops at the same step. Method: a busy Task.Yield loop must hit
        // StepsMax, twice at the same step; a periodic timer must hit VirtualTimeMax.
        long StepAtFailure()
        {
            var sim = new Simulation(new SimulationOptions { Seed = 5, StepsMax = 10_000 });
            var error = Assert.Throws<SimulationException>(() => sim.Run(async () =>
            {
                while (true)
                {
                    await Task.Yield();
                }
            }));
            Assert.Contains("Step limit", error.Message);
            return error.Step!.Value;
        }
        Assert.Equal(StepAtFailure(), StepAtFailure());

        var timed = new Simulation(new SimulationOptions { VirtualTimeMax = TimeSpan.FromMinutes(1) });
        var timeError = Assert.Throws<SimulationException>(() => timed.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), timed.Driver.TimeProvider);
            while (await timer.WaitForNextTickAsync())
            {
            }
        }));
        Assert.Contains("Virtual time limit", timeError.Message);
        Assert.Equal(TimeSpan.FromMinutes(1), timeError.VirtualTime);
    }

    [Fact]
    public void A_throwing_timer_callback_fails_the_run_and_names_the_node()
    {
        // Goal: an exception that would crash a real process does not pass silently. Method: a timer callback throws.
        Simulation sim = NewSimulation();
        SimNode node = sim.AddNode("boom");
        var error = Assert.Throws<SimulationException>(() => sim.Run(async () =>
        {
            using ITimer timer = node.TimeProvider.CreateTimer(_ => throw new InvalidOperationException("kaput"), null,
                TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
            await Task.Delay(TimeSpan.FromSeconds(2), sim.Driver.TimeProvider);
        }));
        Assert.Contains("boom", error.Message);
        Assert.Contains("kaput", error.Message);
    }

    [Fact]
    public void Timer_change_and_dispose_behave_like_real_timers()
    {
        // Goal: ITimer semantics on virtual time. Method: a periodic timer fires at 1, 2, 3 s; Change moves the next
        // firing to 10 s; Dispose stops it; Change after Dispose returns false.
        Simulation sim = NewSimulation();
        var fired = new List<double>();
        sim.Run(async () =>
        {
            TimeProvider clock = sim.Driver.TimeProvider;
            ITimer timer = clock.CreateTimer(_ => fired.Add(sim.Elapsed.TotalSeconds), null,
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromSeconds(3.5), clock);
            Assert.True(timer.Change(TimeSpan.FromSeconds(6.5), Timeout.InfiniteTimeSpan));
            await Task.Delay(TimeSpan.FromSeconds(10), clock);
            timer.Dispose();
            Assert.False(timer.Change(TimeSpan.Zero, TimeSpan.Zero));
            await Task.Delay(TimeSpan.FromSeconds(10), clock);
        });
        Assert.Equal([1.0, 2, 3, 10], fired);
    }

    [Fact]
    public void Clock_skew_moves_wall_time_and_drift_changes_timer_lengths()
    {
        // Goal: per-node skew. Method: node a gets +5 s offset and +100,000 ppm drift (10 % fast); its wall clock
        // reads 5 s ahead, and its 11 s timer fires after 10 s of true virtual time; node b is unaffected.
        Simulation sim = NewSimulation();
        SimNode a = sim.AddNode("a");
        SimNode b = sim.AddNode("b");
        a.TimeProvider.SetSkew(TimeSpan.FromSeconds(5), 100_000);
        Assert.Equal(VirtualTimeProvider.Epoch.AddSeconds(5), a.TimeProvider.GetUtcNow());
        Assert.Equal(VirtualTimeProvider.Epoch, b.TimeProvider.GetUtcNow());
        sim.Run(() => a.Start(() => Task.Delay(TimeSpan.FromSeconds(11), a.TimeProvider)));
        Assert.Equal(TimeSpan.FromSeconds(10), sim.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(11), TimeSpan.FromTicks(a.TimeProvider.GetTimestamp()));
        Assert.Equal(VirtualTimeProvider.Epoch.AddSeconds(10), b.TimeProvider.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => a.TimeProvider.SetSkew(TimeSpan.Zero, -1e6));
    }
}
