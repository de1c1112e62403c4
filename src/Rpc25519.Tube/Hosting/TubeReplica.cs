using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Rpc25519.Messages;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// One Tube replica: it owns a <see cref="RaftNode"/>, its <see cref="IRaftStorage"/> and the replicated
/// <see cref="StateMachineSet"/>, and serves replicas and clients over one <see cref="RpcServer"/>.
/// </summary>
/// <remarks>
/// <para>A single host loop owns the node: Raft messages, client requests and tick wake-ups go through one inbox and
/// are handled in order, so no lock is held anywhere, least of all across I/O. Each round delivers the ticks that
/// fell due (all of them after a pause, before any message), handles the inbox, then persists each
/// <see cref="Ready"/> batch (fsync) before sending its messages, applies committed entries, serves reads, and
/// compacts the log when it has grown.</para>
/// <para>All time, randomness and task scheduling come from <see cref="TubeReplicaOptions.Rpc"/>, so the same code
/// runs on real sockets and under SimNet.</para>
/// </remarks>
public sealed partial class TubeReplica : IAsyncDisposable
{
    private readonly TubeReplicaOptions options;
    private readonly RpcOptions rpc;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly IRaftStorage storage;
    private readonly RaftNode node;
    private readonly StateMachineSet machines;

    /// <summary>The key that tags Raft messages (<see cref="RaftMessageSeal"/>), or null without a replica key.</summary>
    private readonly byte[]? messageKey;
    private readonly Channel<HostWork> inbox =
        Channel.CreateUnbounded<HostWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SortedDictionary<ulong, string> members;
    private readonly SortedDictionary<ulong, PeerLink> links = [];
    private readonly CancellationTokenSource stop = new();
    private RpcServer? server;
    private ITimer? timer;
    private Task loop = Task.CompletedTask;
    private int disposed;

    /// <summary>This replica's state for Tube's gauges (docs in <see cref="Diagnostics.TubeDiagnostics"/>), from start
    /// until disposed.</summary>
    private readonly Diagnostics.ReplicaGauges gauges;

    private TubeReplica(TubeReplicaOptions options)
    {
        this.options = options;
        rpc = options.Rpc.Clone();
        if (string.IsNullOrEmpty(rpc.ListenAddress))
        {
            rpc.ListenAddress = options.Members[options.NodeId];
        }

        time = rpc.TimeProvider;
        logger = rpc.LoggerFactory.CreateLogger("Rpc25519.Tube.Hosting.TubeReplica");
        storage = options.Storage!;
        members = new SortedDictionary<ulong, string>(options.Members);
        machines = options.CreateStateMachines();
        machines.MachineFaulted = (machine, e) => HostLog.StateMachineFault(logger, NodeId, machine, e);
        messageKey = RaftMessageSeal.DeriveKey(options.ReplicaKey);
        RaftPersistentState recovered = storage.Recovered;
        if (recovered.Snapshot is { } snapshot)
        {
            using var stream = new MemoryStream(snapshot.Data.ToArray(), writable: false);
            machines.RestoreSnapshot(stream);
            lastSnapshotBytes = snapshot.Data.Length;
            foreach (var (id, address) in machines.MemberAddresses)
            {
                members[id] = address;
            }
        }

        RaftOptions raftOptions = RaftOptionsFor(options, rpc);
        // Lease reads trust the leader's lease only while this clock shows no ticks owed (docs/tube-raft.md).
        raftOptions.HostClock ??= HostTicks;
        node = new RaftNode(raftOptions, recovered);
        gauges = new Diagnostics.ReplicaGauges(options.NodeId);
        nextReadId = ((ulong)(uint)RandomFor(rpc).Next() << 24) + 1;
    }

    /// <summary>This replica's node id.</summary>
    public ulong NodeId => options.NodeId;

    /// <summary>The address this replica listens on.</summary>
    public string Address => server?.LocalAddress ?? rpc.ListenAddress;

    /// <summary>Completes when the host loop ends: after <see cref="DisposeAsync"/>, or faulted when the replica
    /// stopped on an error (a storage failure, a broken invariant).</summary>
    public Task Completion => loop;

    /// <summary>Recovers the node and its state machines from storage, starts listening, and starts the host
    /// loop.</summary>
    /// <param name="options">The settings; validated here. The replica keeps the storage and disposes it; so does a
    /// start that fails, which leaves nothing running and the data directory free to open again.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running replica.</returns>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="RpcTransportException">The listen address cannot be bound.</exception>
    public static async Task<TubeReplica> StartAsync(TubeReplicaOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        TubeReplica? replica = null;
        try
        {
            options.Validate();
            replica = new TubeReplica(options);
            await replica.StartCoreAsync(cancellationToken);
            return replica;
        }
        catch
        {
            // Stops whatever did start (a server that bound, nothing else can run yet) and releases the storage.
            if (replica is not null)
            {
                await replica.DisposeAsync();
            }
            else if (options.Storage is not null)
            {
                await options.Storage.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Reads this replica's status inside its host loop.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The status.</returns>
    public Task<TubeStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        InspectAsync(BuildStatus, cancellationToken);

    /// <summary>Computes the hash of the replicated state (see <see cref="StateMachineSet.ComputeStateHash"/>) and
    /// the index it reflects, inside the host loop; equal on replicas that applied the same entries.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The applied index and the state hash.</returns>
    public Task<(long AppliedIndex, string Hash)> GetStateHashAsync(CancellationToken cancellationToken = default) =>
        InspectAsync(() => (machines.AppliedIndex, machines.ComputeStateHash()), cancellationToken);

    /// <summary>Test seam: the host loop stands still for <paramref name="duration"/> of its clock, as a process
    /// stopped by SIGSTOP, a long GC pause or a frozen VM, then resumes with catch-up ticks. Messages and requests
    /// that arrive meanwhile wait in the inbox.</summary>
    /// <param name="duration">How long the loop stands still.</param>
    /// <returns>Completes when the loop resumes.</returns>
    internal Task PauseAsync(TimeSpan duration)
    {
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!inbox.Writer.TryWrite(HostWork.ForPause(duration, () => resumed.TrySetResult())))
        {
            throw new ObjectDisposedException(nameof(TubeReplica), "The replica has stopped.");
        }

        return resumed.Task;
    }

    /// <summary>Stops the host loop, the server and the peer links, and disposes the storage. Pending client
    /// requests fail with a "not leader" answer so clients retry elsewhere. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        timer?.Dispose();
        noticeTimer?.Dispose();
        stop.Cancel();
        inbox.Writer.TryComplete();
        try
        {
            await loop;
        }
        catch (Exception)
        {
            // The loop's failure was logged (event 726) when it happened and stays visible in Completion; stopping
            // must still release the server, the links and the storage.
        }

        if (server is not null)
        {
            await server.DisposeAsync();
        }

        foreach (PeerLink link in links.Values)
        {
            await link.DisposeAsync();
        }

        FailPending("the replica is stopping");
        Diagnostics.TubeMetrics.Remove(gauges);
        await storage.DisposeAsync();
        stop.Dispose();
    }

    private static Random RandomFor(RpcOptions rpc) =>
        new(rpc.Random?.Next() ?? RandomNumberGenerator.GetInt32(int.MaxValue));

    private static RaftOptions RaftOptionsFor(TubeReplicaOptions options, RpcOptions rpc)
    {
        IEnumerable<ulong> voters = options.InitialVoters.Count > 0 ? options.InitialVoters : options.Members.Keys;
        var raft = new RaftOptions
        {
            NodeId = options.NodeId,
            Random = RandomFor(rpc),
            HeartbeatTicks = options.HeartbeatTicks,
            ElectionTimeoutTicks = options.ElectionTimeoutTicks,
            LeaseDriftTicks = options.LeaseDriftTicks,
            DeferCommitNotices = options.CommitNoticeDelay > TimeSpan.Zero,
            // Appends and snapshot chunks must fit in a frame, with room for the message around them.
            EntryBytesPerMessageMax = Math.Min(new RaftOptions().EntryBytesPerMessageMax, rpc.MaxFrameBytes / 2),
            SnapshotChunkBytes = Math.Min(new RaftOptions().SnapshotChunkBytes, rpc.MaxFrameBytes / 2),
            InitialMembership = voters.Contains(options.NodeId) ? new Membership(voters, [], 0, 1) : Membership.Empty,
        };
        options.ConfigureRaft?.Invoke(raft);
        raft.NodeId = options.NodeId;
        return raft;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        server = new RpcServer(rpc);
        server.RegisterOneWay(TubeServiceNames.Raft, OnRaftMessage);
        server.RegisterCall(TubeServiceNames.Client, OnClientCallAsync);
        await server.StartAsync(cancellationToken);
        Diagnostics.TubeMetrics.Add(gauges);
        lastTick = time.GetUtcNow();
        lastProposal = lastTick;
        noticeTimer = time.CreateTimer(static state => ((TubeReplica)state!).OnCommitNoticeTimer(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        loop = Task.Factory.StartNew(RunLoopAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach,
            rpc.TaskScheduler).Unwrap();
        timer = time.CreateTimer(static state => ((TubeReplica)state!).inbox.Writer.TryWrite(HostWork.Wake), this,
            options.TickInterval, options.TickInterval);
        HostLog.Started(logger, NodeId, server.LocalAddress, node.Term, node.LastIndex, node.SnapshotIndex);
    }

    private ValueTask OnRaftMessage(Message message, CancellationToken cancellationToken)
    {
        int length = RaftMessageSeal.Open(message.Payload, messageKey);
        if (length < 0)
        {
            HostLog.BadRaftMessage(logger, NodeId, message.Header.From, "its replica-key tag does not verify: the " +
                "sender does not hold this cluster's replica key (TubeReplicaOptions.ReplicaKey), or holds another");
            return ValueTask.CompletedTask;
        }

        RaftMessage decoded;
        try
        {
            decoded = RaftWireCodec.Decode(message.Payload, length);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            HostLog.BadRaftMessage(logger, NodeId, message.Header.From, e.Message);
            return ValueTask.CompletedTask;
        }

        if (RaftWireCodec.WhyRefused(decoded, NodeId) is { } why)
        {
            HostLog.BadRaftMessage(logger, NodeId, message.Header.From, why);
            return ValueTask.CompletedTask;
        }

        inbox.Writer.TryWrite(HostWork.ForRaft(decoded));
        return ValueTask.CompletedTask;
    }

    private async ValueTask<Message> OnClientCallAsync(Message request, CancellationToken cancellationToken)
    {
        TubeRequest decoded = TubeRequest.FromBytes(request.Payload);
        var completion = new TaskCompletionSource<TubeResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!inbox.Writer.TryWrite(HostWork.ForRequest(decoded, completion)))
        {
            completion.TrySetResult(NotLeader("the replica is stopping"));
        }

        using CancellationTokenRegistration registration = cancellationToken.Register(
            static state => ((TaskCompletionSource<TubeResponse>)state!).TrySetCanceled(), completion);
        TubeResponse response = await completion.Task;
        var reply = new Message { Payload = response.ToBytes() };
        if (MessageCodec.ExceedsBodyLimit(reply, rpc.MaxFrameBytes, out long bytes))
        {
            // The transport would refuse it, and the client would retry the same request until its deadline.
            reply = new Message
            {
                Payload = new TubeResponse
                {
                    Error = StateMachines.Errors.TubeErrorCode.ValueTooLarge,
                    Message = $"The answer is {bytes} bytes, more than RpcOptions.MaxFrameBytes ({rpc.MaxFrameBytes}) " +
                        "of this replica; ask for fewer keys at a time (a limit, then go on from the last key). A " +
                        "write was applied all the same.",
                }.ToBytes(),
            };
        }

        return reply;
    }

    private async Task<T> InspectAsync<T>(Func<T> inspect, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!inbox.Writer.TryWrite(HostWork.ForInspect(() => completion.TrySetResult(inspect()))))
        {
            throw new ObjectDisposedException(nameof(TubeReplica), "The replica has stopped.");
        }

        using CancellationTokenRegistration registration = cancellationToken.Register(
            static state => ((TaskCompletionSource<T>)state!).TrySetCanceled(), completion);
        return await completion.Task;
    }

    private PeerLink LinkTo(ulong peer)
    {
        if (!links.TryGetValue(peer, out PeerLink? link))
        {
            RpcOptions peerRpc = rpc.Clone();
            TimeSpan electionTimeout = options.TickInterval * options.ElectionTimeoutTicks;
            if (peerRpc.ConnectTimeout <= TimeSpan.Zero || peerRpc.ConnectTimeout > electionTimeout)
            {
                peerRpc.ConnectTimeout = electionTimeout;
            }

            link = new PeerLink(NodeId, peer, members[peer], peerRpc, logger, options.PeerQueueCapacity,
                options.TickInterval * options.HeartbeatTicks);
            links[peer] = link;
        }

        return link;
    }
}
