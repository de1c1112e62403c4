using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>
/// A client of a Tube cluster: it connects to any member, finds the leader by following redirects, and retries
/// across leader changes and lost connections until the operation's deadline. Writes run in a session with a serial
/// per command, and a retry reuses the serial, so each write is applied exactly once even when an answer was lost.
/// </summary>
/// <remarks>Thread-safe: any number of tasks may share one client; commands in flight at once each get their own
/// serial. A small lock guards the connection and serial bookkeeping and is never held across I/O.</remarks>
public sealed partial class TubeClient : IAsyncDisposable
{
    private readonly TubeClientOptions options;
    private readonly TimeProvider time;
    private readonly object gate = new();
    private readonly SortedSet<long> inFlight = [];
    private RpcClient? current;
    private Task<RpcClient>? connecting;
    private string? preferred;
    private int cursor;
    private long sessionId;
    private long nextSerial;
    private Task<long>? opening;
    private int disposed;
    private readonly CancellationTokenSource closing = new();
    private Task keepAlive = Task.CompletedTask;

    /// <summary>Creates a client; it connects on first use.</summary>
    /// <param name="options">The settings; validated and copied here.</param>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public TubeClient(TubeClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = new TubeClientOptions
        {
            Members = [.. options.Members], Rpc = options.Rpc.Clone(), OperationTimeout = options.OperationTimeout,
            AttemptTimeout = options.AttemptTimeout, RetryBackOff = options.RetryBackOff,
            SessionTimeout = options.SessionTimeout, KeepAliveInterval = options.KeepAliveInterval,
            FollowerReplies = options.FollowerReplies,
        };
        time = this.options.Rpc.TimeProvider;
    }

    /// <summary>The session id, or 0 before the session opens.</summary>
    public long SessionId
    {
        get
        {
            lock (gate)
            {
                return sessionId;
            }
        }
    }

    /// <summary>The address of the member the client talks to now, or null when not connected.</summary>
    public string? ConnectedTo
    {
        get
        {
            lock (gate)
            {
                return current?.RemoteAddress;
            }
        }
    }

    /// <summary>Opens the session now (otherwise the first write opens it). Idempotent.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The session id.</returns>
    public Task<long> OpenSessionAsync(CancellationToken cancellationToken = default) =>
        EnsureSessionAsync(cancellationToken);

    /// <summary>Restarts the session's idle timeout.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="SessionExpiredException">The session has already expired; make a new client.</exception>
    public async Task KeepAliveAsync(CancellationToken cancellationToken = default)
    {
        long session = await EnsureSessionAsync(cancellationToken);
        await SubmitAsync(TubeCommand.KeepAlive(session).ToBytes(), cancellationToken);
    }

    /// <summary>Closes the session: its leases are released and its cached replies dropped. Later writes open a
    /// new session.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task CloseSessionAsync(CancellationToken cancellationToken = default)
    {
        long session = SessionId;
        if (session == 0)
        {
            return;
        }

        await SubmitAsync(TubeCommand.CloseSession(session).ToBytes(), cancellationToken);
        lock (gate)
        {
            if (sessionId == session)
            {
                sessionId = 0;
                opening = null;
            }
        }
    }

    /// <summary>Applies a command to the replicated machine registered as <paramref name="machine"/>, in this
    /// client's session, exactly once.</summary>
    /// <param name="machine">The machine's registered name ("kv" for the key/value store).</param>
    /// <param name="command">The machine-specific command bytes.</param>
    /// <param name="cancellationToken">Cancels the wait (the command may still be applied).</param>
    /// <returns>The machine's reply bytes.</returns>
    /// <exception cref="TubeException">The machine refused the command (a typed subclass), or the cluster did not
    /// answer in time (<see cref="NoQuorumException"/>, <see cref="NotLeaderException"/>,
    /// <see cref="TubeUnavailableException"/>).</exception>
    public async Task<byte[]> ExecuteAsync(string machine, byte[] command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(command);
        long session = await EnsureSessionAsync(cancellationToken);
        long serial, lowest;
        bool alone;
        lock (gate)
        {
            serial = ++nextSerial;
            inFlight.Add(serial);
            lowest = inFlight.Min;
            alone = inFlight.Count == 1;
        }

        try
        {
            byte[] bytes = TubeCommand.ForMachine(machine, session, serial, command, lowest).ToBytes();
            return alone && options.FollowerReplies
                ? await SubmitWithFollowerAsync(bytes, session, serial, cancellationToken)
                : await SubmitAsync(bytes, cancellationToken);
        }
        finally
        {
            lock (gate)
            {
                inFlight.Remove(serial);
            }
        }
    }

    /// <summary>Asks the replicated machine <paramref name="machine"/> a read-only query.</summary>
    /// <param name="machine">The machine's registered name.</param>
    /// <param name="query">The machine-specific query bytes.</param>
    /// <param name="mode">How fresh the answer must be; linearizable by default.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The machine's answer bytes.</returns>
    public async Task<byte[]> QueryAsync(string machine, byte[] query, ReadMode mode = ReadMode.Linearizable,
        CancellationToken cancellationToken = default)
    {
        TubeResponse response = await CallAsync(
            new TubeRequest { Kind = TubeRequestKind.Read, Machine = machine, Query = query, ReadMode = mode },
            cancellationToken);
        ThrowIfRefused(response);
        return TubeReply.FromBytes(response.Reply ?? []).ThrowIfError();
    }

    /// <summary>Closes the connection. The session is left to expire (call <see cref="CloseSessionAsync"/> first to
    /// end it at once). Calling it again does nothing; any other call afterwards, and any retry of a call still in
    /// flight, throws <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        closing.Cancel();
        try
        {
            await keepAlive;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopped (a keep-alive in its retry loop sees the disposal before the cancellation).
        }

        RpcClient? client, side;
        lock (gate)
        {
            client = current;
            current = null;
            currentAddress = null;
            side = follower;
            follower = null;
        }

        if (client is not null)
        {
            await client.DisposeAsync();
        }

        if (side is not null)
        {
            await side.DisposeAsync();
        }

        closing.Dispose();
    }

    /// <summary>The session id, opening the session first if needed. The opening is shared by every caller and
    /// runs to its own deadline; a caller that cancels stops waiting for it at once.</summary>
    private async Task<long> EnsureSessionAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnusable(cancellationToken);
        Task<long> task;
        lock (gate)
        {
            if (sessionId != 0)
            {
                return sessionId;
            }

            opening ??= OpenAsync();
            task = opening;
        }

        try
        {
            await WhenDoneOrCancelledAsync(task, cancellationToken);
            return await task;
        }
        catch when (task.IsCompleted)
        {
            // The opening itself failed (not just this caller's wait): the next caller tries again.
            lock (gate)
            {
                if (ReferenceEquals(opening, task))
                {
                    opening = null;
                }
            }

            throw;
        }
    }

    private async Task<long> OpenAsync()
    {
        byte[] payload = await SubmitAsync(TubeCommand.OpenSession(options.SessionTimeout).ToBytes(),
            CancellationToken.None);
        long id = StateMachines.Sessions.SessionInfo.FromBytes(payload).SessionId;
        lock (gate)
        {
            sessionId = id;
            nextSerial = 0;
            if (options.KeepAliveInterval is { } interval && keepAlive.IsCompleted && Volatile.Read(ref disposed) == 0)
            {
                keepAlive = Task.Factory.StartNew(() => KeepAliveLoopAsync(interval), CancellationToken.None,
                    TaskCreationOptions.DenyChildAttach, options.Rpc.TaskScheduler).Unwrap();
            }
        }

        return id;
    }

    /// <summary>Sends a keep-alive every <paramref name="interval"/> while a session is open, until disposed. A
    /// keep-alive that fails is tried again at the next interval; an expired session ends the loop.</summary>
    private async Task KeepAliveLoopAsync(TimeSpan interval)
    {
        CancellationToken token = closing.Token;
        while (true)
        {
            await Task.Delay(interval, time, token);
            long session = SessionId;
            if (session == 0)
            {
                return;
            }

            try
            {
                await SubmitAsync(TubeCommand.KeepAlive(session).ToBytes(), token);
            }
            catch (SessionExpiredException)
            {
                return;
            }
            catch (TubeException)
            {
                // Not reachable now; the next interval tries again.
            }
        }
    }

    private async Task<byte[]> SubmitAsync(byte[] command, CancellationToken cancellationToken)
    {
        TubeResponse response = await CallAsync(new TubeRequest { Kind = TubeRequestKind.Submit, Command = command },
            cancellationToken);
        return ReplyOf(response);
    }

    private static byte[] ReplyOf(TubeResponse response)
    {
        ThrowIfRefused(response);
        return TubeReply.FromBytes(response.Reply ?? []).ThrowIfError();
    }

    private static Message RequestMessage(TubeRequest request) => RequestMessage(request.ToBytes());

    private static Message RequestMessage(byte[] payload)
    {
        var message = new Message { Payload = payload };
        message.Header.ServiceName = TubeServiceNames.Client;
        return message;
    }
}
