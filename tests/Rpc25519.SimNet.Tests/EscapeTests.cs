using Rpc25519.SimNet;

namespace Rpc25519.SimNet.Tests;

public sealed class EscapeTests
{
    private static Simulation NewSimulation(EscapeChecks checks) =>
        new(new SimulationOptions { Seed = 3, EscapeChecks = checks, EscapeCheckInterval = 1 });

    [Fact]
    public void A_handler_that_awaits_Task_Run_is_caught_with_a_clear_message()
    {
        // Goal: work sent to the thread pool is detected, and the message names the cause and the async method.
        // Method: node code awaits Task.Run; its continuation comes back from a pool thread (a foreign post), or the
        // run goes idle while the pool works; either way the run must fail with an escape, not finish.
        Simulation sim = NewSimulation(EscapeChecks.All);
        SimNode node = sim.AddNode("n");
        var error = Assert.Throws<SimulationEscapeException>(() => sim.Run(() => node.Start(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await Task.Run(() => Thread.SpinWait(1000));
                await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
            }
        })));
        Assert.Contains("Task.Run", error.Message);
        Assert.Contains("seed=3", error.Message);
    }

    // The next four tests use only the execution-context detector (no process-wide counter), and each makes the
    // escaped work start before the simulation goes on (a real event the work sets), so no timing decides the result.

    /// <summary>Runs <paramref name="escape"/> as node code under the execution-context detector alone, then one
    /// virtual delay; returns the escape the run must fail with.</summary>
    private static SimulationEscapeException EscapeOf(Action escape)
    {
        Simulation sim = NewSimulation(EscapeChecks.ForeignThreads);
        SimNode node = sim.AddNode("n");
        return Assert.Throws<SimulationEscapeException>(() => sim.Run(() => node.Start(async () =>
        {
            escape();
            await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
        })));
    }

    [Fact]
    public void An_unawaited_Task_Run_is_caught_by_the_execution_context_detector()
    {
        using var started = new ManualResetEventSlim();
        SimulationEscapeException error = EscapeOf(() =>
        {
            _ = Task.Run(() => started.Set());
            started.Wait();
        });
        Assert.Contains("Task.Run", error.Message);
        Assert.Contains("thread-pool thread", error.Message);
    }

    [Fact]
    public void A_blocking_wait_on_Task_Run_is_caught()
    {
        // (Task.Wait may run a task that has not started yet inline, on the waiting thread: then nothing escaped.
        // The event makes sure a pool thread took it first, which is the case that breaks determinism.)
        using var started = new ManualResetEventSlim();
        SimulationEscapeException error = EscapeOf(() =>
        {
            Task work = Task.Run(() => started.Set());
            started.Wait();
            work.Wait();
        });
        Assert.Contains("Task.Run", error.Message);
    }

    [Fact]
    public void ThreadPool_QueueUserWorkItem_is_caught_and_named()
    {
        using var started = new ManualResetEventSlim();
        SimulationEscapeException error = EscapeOf(() =>
        {
            ThreadPool.QueueUserWorkItem(_ => started.Set());
            started.Wait();
        });
        Assert.Contains("QueueUserWorkItem", error.Message);
    }

    [Fact]
    public void A_new_Thread_is_caught_and_named()
    {
        SimulationEscapeException error = EscapeOf(() =>
        {
            var thread = new Thread(() => { });
            thread.Start();
            thread.Join();
        });
        Assert.Contains("new Thread", error.Message);
    }

    [Fact]
    public void The_default_checks_include_the_execution_context_detector_and_pass_clean_rpc_runs()
    {
        // No false positives from the precise detector on the real RPC stack with faults, in the test host (where
        // the process-wide thread-pool counters would be useless), and it is on by default.
        Assert.Equal(EscapeChecks.RealTimers | EscapeChecks.ForeignThreads, new SimulationOptions().EscapeChecks);
        Harness.SimClusterResult result = new Harness.SimCluster(new Harness.SimClusterOptions
        {
            Seed = 17, Nodes = 5, SafetyDuration = TimeSpan.FromSeconds(5), EscapeChecks = EscapeChecks.ForeignThreads,
        }).Run();
        Assert.True(result.CallsSucceeded > 100, result.ToString());
    }

    [Fact]
    public void A_real_Task_Delay_is_caught_at_the_next_idle_point()
    {
        // Goal: a delay without the node's TimeProvider cannot silently use real time. Method: node code awaits a
        // real Task.Delay of a minute with no provider (longer than the detector's confirmation wait, which lets
        // other components' brief timers pass) while the driver waits on virtual time.
        Simulation sim = NewSimulation(EscapeChecks.RealTimers);
        SimNode node = sim.AddNode("n");
        using var stopDelay = new CancellationTokenSource();
        var error = Assert.Throws<SimulationEscapeException>(() => sim.Run(async () =>
        {
            Task handler = node.Start(() => Task.Delay(TimeSpan.FromMinutes(1), stopDelay.Token));
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            await handler;
        }));
        stopDelay.Cancel();
        Assert.Contains("Task.Delay", error.Message);
        Assert.Contains("TimeProvider", error.Message);
    }

    [Fact]
    public void A_real_timer_of_another_component_that_ends_within_the_confirmation_is_not_an_escape()
    {
        // Goal: the timer count is process-wide; a timer that some other part of the process arms for a moment
        // during a run (a test host's reporting, for one) must not fail the run. Method: a timer armed from another
        // thread for 50 ms while the simulation reaches idle points; the run passes.
        Simulation sim = NewSimulation(EscapeChecks.RealTimers);
        SimNode node = sim.AddNode("n");
        using var foreign = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            using var brief = new Timer(_ => { }, null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
            foreign.Set();
            Thread.Sleep(100);
        });
        sim.Run(async () =>
        {
            other.Start();
            foreign.Wait();
            await node.Start(() => Task.Delay(TimeSpan.FromSeconds(1), node.TimeProvider));
        });
        other.Join();
    }

    [Fact]
    public void ConfigureAwait_false_is_caught()
    {
        // Goal: ConfigureAwait(false) under a custom context sends the continuation to the thread pool (spec 4.9);
        // the next thing that code does with the simulation comes from a foreign thread. Method: node code awaits a
        // virtual delay with ConfigureAwait(false), then awaits another virtual delay. The thread-pool check sees the
        // queued continuation at once, even on a machine too loaded to run it soon.
        Simulation sim = NewSimulation(EscapeChecks.All);
        SimNode node = sim.AddNode("n");
        var error = Assert.Throws<SimulationEscapeException>(() => sim.Run(() => node.Start(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
        })));
        Assert.Contains("ConfigureAwait(false)", error.Message);
    }

    [Fact]
    public void A_post_from_a_foreign_thread_names_the_async_method_that_resumed()
    {
        // Goal: with the counter checks off, a foreign post alone still fails the run and names the resumed method.
        // Method: node code awaits a task completed from a real thread after the simulation is idle-waiting on a
        // long virtual delay; the continuation is posted from that thread.
        Simulation sim = NewSimulation(EscapeChecks.None);
        SimNode node = sim.AddNode("n");
        var gate = new TaskCompletionSource();
        var error = Assert.Throws<SimulationEscapeException>(() => sim.Run(async () =>
        {
            Task waiter = node.Start(() => WaitForForeignSignal(gate.Task));
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            var thread = new Thread(() => gate.SetResult()) { IsBackground = true };
            thread.Start();
            thread.Join();
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            await waiter;
        }));
        Assert.Contains("WaitForForeignSignal", error.Message);
    }

    private static async Task WaitForForeignSignal(Task signal)
    {
        await signal;
    }

    [Fact]
    public void Clean_code_passes_the_timer_check_and_posts_nothing_from_other_threads()
    {
        // Goal: no false positives on code that follows the rules. Method: virtual delays, yields, StartNew on the
        // node scheduler and provider-driven cancellation, with the real-timer check at every idle point. (The
        // thread-pool counters are not used: the test host itself completes pool work while tests run.)
        Simulation sim = NewSimulation(EscapeChecks.RealTimers);
        SimNode node = sim.AddNode("n");
        sim.Run(() => node.Start(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
                await Task.Yield();
                await Task.Factory.StartNew(() => { }, CancellationToken.None, TaskCreationOptions.None,
                    node.TaskScheduler);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1), node.TimeProvider);
            }
        }));
        Assert.Equal(TimeSpan.FromMilliseconds(200), sim.Elapsed);
    }

    [Fact]
    public void ChannelReader_ReadAllAsync_is_caught_because_it_uses_ConfigureAwait_false()
    {
        // Goal: document and fence a trap found while writing these tests. ChannelReader.ReadAllAsync awaits
        // WaitToReadAsync with ConfigureAwait(false), so its wake-up runs on the thread pool and the consumer's
        // continuation is posted to the node from a pool thread. Method: a node consumes a channel with
        // ReadAllAsync and the driver writes to it; the run must fail with an escape.
        Simulation sim = NewSimulation(EscapeChecks.All);
        SimNode node = sim.AddNode("n");
        var channel = System.Threading.Channels.Channel.CreateUnbounded<int>();
        var error = Assert.Throws<SimulationEscapeException>(() => sim.Run(async () =>
        {
            Task reader = node.Start(() => ReadOne(channel.Reader));
            await Task.Delay(TimeSpan.FromMilliseconds(1), sim.Driver.TimeProvider);
            channel.Writer.TryWrite(1);
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            await reader;
        }));
        Assert.Contains("thread", error.Message);
    }

    private static async Task ReadOne(System.Threading.Channels.ChannelReader<int> reader)
    {
        await foreach (int item in reader.ReadAllAsync())
        {
            return;
        }
    }

    [Fact]
    public void StartNew_on_TaskScheduler_Current_after_an_await_is_caught()
    {
        // Goal: document and fence a trap. After an await, a continuation resumes through the node's
        // SynchronizationContext, not as a task, so TaskScheduler.Current is the default (thread-pool) scheduler
        // again; StartNew on it leaves the simulation. Method: do exactly that with the thread-pool check on.
        Simulation sim = NewSimulation(EscapeChecks.ThreadPool);
        SimNode node = sim.AddNode("n");
        var error = Assert.Throws<SimulationEscapeException>(() => sim.Run(() => node.Start(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
            Assert.Same(TaskScheduler.Default, TaskScheduler.Current);
            await Task.Factory.StartNew(() => Thread.SpinWait(100), CancellationToken.None,
                TaskCreationOptions.None, TaskScheduler.Current);
            await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
        })));
        Assert.Contains("thread", error.Message);
    }
}
