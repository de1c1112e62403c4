using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Client;

/// <summary>
/// Elects one holder of a named role among any number of candidates (the original's member/czar): each candidate
/// writes the role's key with a lease, the one whose write takes the lease is the czar, and it renews the lease
/// every <see cref="TubeCzarOptions.RenewInterval"/>. The others keep trying and take over once the holder stops
/// renewing (it stopped, crashed or was cut off) and its lease ended.
/// </summary>
/// <remarks>
/// <para>The holder counts its tenure from the moment it <em>sent</em> the write that was granted, on its own
/// monotonic clock, and ends it <see cref="TubeCzarOptions.ClockDriftBound"/> before the lease would end: the
/// cluster starts the lease later than that (when the leader stamps the entry), so while the clocks disagree by
/// less than the bound, the holder has stopped calling itself czar before anyone else can be granted the role. An
/// unrenewed tenure ends on time even while a renewal is still in flight, and <see cref="IsCzar"/> checks the clock
/// on every read.</para>
/// <para>Each tenure carries a fencing token that only grows; pass it to whatever the czar controls, and have that
/// refuse a token below the highest it has seen, to fence off a holder that was paused past its tenure.</para>
/// <para>The czar owns a <see cref="TubeClient"/> (its own session, so that its lease belongs to it alone) and
/// replaces it if the session expires. Its loop runs on <see cref="RpcOptions.TaskScheduler"/> and reads time from
/// <see cref="RpcOptions.TimeProvider"/> of the client settings, so it runs unchanged under SimNet.</para>
/// </remarks>
public sealed class TubeCzar : IAsyncDisposable
{
    private readonly TubeClientOptions clientOptions;
    private readonly TubeCzarOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly byte[] key;
    private readonly long origin;
    private readonly CancellationTokenSource stopping = new();
    private readonly Channel<TubeCzarChange> changes = Channel.CreateBounded<TubeCzarChange>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Guards <see cref="holding"/>, <see cref="validUntil"/>, <see cref="fencingToken"/> and
    /// <see cref="holder"/>; never held across an await.</summary>
    private readonly object gate = new();

    /// <summary>Whether this candidate counts itself czar (until <see cref="validUntil"/>).</summary>
    private bool holding;

    /// <summary>The end of the tenure on this candidate's monotonic clock, measured from <see cref="origin"/>.</summary>
    private TimeSpan validUntil;

    /// <summary>The current or last tenure's fencing token; 0 before the first.</summary>
    private long fencingToken;

    /// <summary>The holder's value as last seen, or null.</summary>
    private byte[]? holder;

    private TubeClient client;
    private Task loop = Task.CompletedTask;
    private int disposed;

    private TubeCzar(TubeClientOptions clientOptions, TubeCzarOptions options)
    {
        this.clientOptions = clientOptions;
        this.options = options;
        time = clientOptions.Rpc.TimeProvider;
        logger = clientOptions.Rpc.LoggerFactory.CreateLogger<TubeCzar>();
        key = Encoding.UTF8.GetBytes(options.Role);
        origin = time.GetTimestamp();
        client = new TubeClient(clientOptions);
    }

    /// <summary>The role this czar competes for.</summary>
    public string Role => options.Role;

    /// <summary>Whether this candidate holds the role now: it won it and its tenure, renewed or not, has not ended
    /// by its own clock.</summary>
    public bool IsCzar
    {
        get
        {
            lock (gate)
            {
                return holding && Now < validUntil;
            }
        }
    }

    /// <summary>The fencing token of this candidate's current or last tenure (0 before the first).</summary>
    public long FencingToken
    {
        get
        {
            lock (gate)
            {
                return fencingToken;
            }
        }
    }

    /// <summary>The holder's <see cref="TubeCzarOptions.Candidate"/> value as last seen (this candidate's own while
    /// it is czar), or null when not known.</summary>
    public byte[]? Holder
    {
        get
        {
            lock (gate)
            {
                return holder;
            }
        }
    }

    private TimeSpan Now => time.GetElapsedTime(origin);

    /// <summary>Starts competing for the role at once; dispose the czar to stop and release the role.</summary>
    /// <param name="clientOptions">How to reach the cluster (copied; the czar makes its own client and session from
    /// them). The clock, scheduler and logging come from its <see cref="TubeClientOptions.Rpc"/>.</param>
    /// <param name="options">The role and its timings (copied).</param>
    /// <returns>The running czar.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static TubeCzar Start(TubeClientOptions clientOptions, TubeCzarOptions options)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        clientOptions.Validate();
        var czar = new TubeCzar(clientOptions, options.Copy());
        czar.loop = Task.Factory.StartNew(czar.RunAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach,
            clientOptions.Rpc.TaskScheduler).Unwrap();
        return czar;
    }

    /// <summary>The changes of this candidate's standing, in order: elected, then expired, taken or released, and
    /// so on. Read it from one place only; when nobody reads, at most the 64 latest changes are kept. Ends when the
    /// czar is disposed, and throws if its loop failed.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The changes.</returns>
    public async IAsyncEnumerable<TubeCzarChange> WatchAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Not ReadAllAsync: it resumes on the thread pool, and the caller's continuations must stay on its scheduler.
        ChannelReader<TubeCzarChange> reader = changes.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out TubeCzarChange? change))
            {
                yield return change;
            }
        }
    }

    /// <summary>Stops renewing and releases the role (closes the session, which ends its lease at once), so that
    /// another candidate can take over without waiting for the lease to run out. Reports
    /// <see cref="TubeCzarChangeReason.Released"/> if this candidate held the role.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Cancel, not CancelAsync: that runs the callbacks on the thread pool, off the caller's scheduler.
        stopping.Cancel();
        await loop;
        ExpireNow(TubeCzarChangeReason.Released);

        try
        {
            using var attempt = new CancellationTokenSource(options.AttemptTimeout, time);
            await client.CloseSessionAsync(attempt.Token);
        }
        catch (Exception e) when (e is TubeException or OperationCanceledException)
        {
            CzarLog.ReleaseFailed(logger, options.Role, e.Message);
        }

        changes.Writer.TryComplete();
        await client.DisposeAsync();
        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken stop = stopping.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await AttemptAsync(stop);
                // Wait for the next renewal, but never past the tenure's end, so that an unrenewed tenure ends on time.
                TimeSpan delay = options.RenewInterval;
                lock (gate)
                {
                    if (holding && validUntil - Now < delay)
                    {
                        delay = validUntil - Now;
                    }
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(RoundUp(delay), time, stop);
                }

                ExpireIfDue();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception e)
        {
            CzarLog.Failed(logger, options.Role, e);
            ExpireNow(TubeCzarChangeReason.Expired);
            changes.Writer.TryComplete(e);
        }
    }

    /// <summary>One lease write: wins, renews, or learns who holds the role.</summary>
    private async Task AttemptAsync(CancellationToken stop)
    {
        TimeSpan sentAt = Now;
        using var attempt = new CancellationTokenSource(options.AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, attempt.Token);
        Task<KvItem> put = client.PutAsync(options.Table, key, options.Candidate, options.LeaseDuration, linked.Token);
        await WhileTenureLastsAsync(put, stop);
        KvItem item;
        try
        {
            item = await put;
        }
        catch (KeyLeasedException e)
        {
            Taken(e.Current?.Value);
            return;
        }
        catch (SessionExpiredException e)
        {
            // The session ended in the cluster, and its leases with it: start over with a new client and session.
            CzarLog.AttemptFailed(logger, options.Role, e.Message);
            ExpireNow(TubeCzarChangeReason.Expired);
            TubeClient old = client;
            client = new TubeClient(clientOptions);
            await old.DisposeAsync();
            return;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            CzarLog.AttemptFailed(logger, options.Role, $"no answer within {options.AttemptTimeout}");
            return;
        }
        catch (TubeException e)
        {
            CzarLog.AttemptFailed(logger, options.Role, e.Message);
            return;
        }

        Won(item, sentAt);
    }

    /// <summary>Waits for <paramref name="put"/>, but while this candidate holds the role only until its tenure
    /// ends; then reports the loss and lets the write finish.</summary>
    private async Task WhileTenureLastsAsync(Task put, CancellationToken stop)
    {
        while (true)
        {
            TimeSpan remaining;
            lock (gate)
            {
                if (!holding)
                {
                    return;
                }

                remaining = validUntil - Now;
            }

            if (remaining <= TimeSpan.Zero)
            {
                ExpireIfDue();
                return;
            }

            // Waking before the end would leave the loss unreported until the write fails, a whole attempt later.
            using var done = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Task expiry = Task.Delay(RoundUp(remaining), time, done.Token);
            if (await Task.WhenAny(put, expiry) == put)
            {
                done.Cancel();
                return;
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary><see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> counts whole milliseconds,
    /// rounded down; rounded up here, a wait for the tenure's end never wakes before it.</summary>
    private static TimeSpan RoundUp(TimeSpan delay) => TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds));

    private void Won(KvItem item, TimeSpan sentAt)
    {
        TimeSpan until = sentAt + options.LeaseDuration - options.ClockDriftBound;
        long previous;
        bool wasHolding;
        lock (gate)
        {
            wasHolding = holding;
            previous = fencingToken;
            if (until <= Now)
            {
                // Granted, but the answer came so late that the tenure it gives is already over by our clock.
                return;
            }

            holding = true;
            validUntil = until;
            fencingToken = item.FencingToken;
            holder = options.Candidate;
        }

        if (wasHolding && previous == item.FencingToken)
        {
            return;
        }

        if (wasHolding)
        {
            // The role changed hands and came back between two of our renewals.
            Publish(new TubeCzarChange(false, previous, TubeCzarChangeReason.Taken, null));
            CzarLog.Lost(logger, options.Role, previous, TubeCzarChangeReason.Taken);
        }

        Publish(new TubeCzarChange(true, item.FencingToken, TubeCzarChangeReason.Elected, options.Candidate));
        CzarLog.Elected(logger, options.Role, item.FencingToken);
    }

    private void Taken(byte[]? current)
    {
        bool was;
        long token;
        lock (gate)
        {
            was = holding;
            token = fencingToken;
            holding = false;
            holder = current;
        }

        if (was)
        {
            Publish(new TubeCzarChange(false, token, TubeCzarChangeReason.Taken, current));
            CzarLog.Lost(logger, options.Role, token, TubeCzarChangeReason.Taken);
        }
    }

    private void ExpireIfDue()
    {
        lock (gate)
        {
            if (!holding || Now < validUntil)
            {
                return;
            }
        }

        ExpireNow(TubeCzarChangeReason.Expired);
    }

    private void ExpireNow(TubeCzarChangeReason reason)
    {
        long token;
        lock (gate)
        {
            if (!holding)
            {
                return;
            }

            holding = false;
            holder = null;
            token = fencingToken;
        }

        Publish(new TubeCzarChange(false, token, reason, null));
        CzarLog.Lost(logger, options.Role, token, reason);
    }

    private void Publish(TubeCzarChange change) => changes.Writer.TryWrite(change);
}
