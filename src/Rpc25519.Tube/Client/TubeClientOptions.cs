namespace Rpc25519.Tube.Client;

/// <summary>Settings of a <see cref="TubeClient"/>.</summary>
public sealed class TubeClientOptions
{
    /// <summary>Addresses (<c>host:port</c>) of the members to try, in order; any one of them is enough to find the
    /// leader.</summary>
    public IList<string> Members { get; set; } = [];

    /// <summary>Transport, keys, clock, scheduler and logging (TLS by default). Under SimNet, pass
    /// <c>SimNetwork.CreateOptions(node)</c>. <see cref="RpcOptions.ServerAddress"/> is ignored.</summary>
    public RpcOptions Rpc { get; set; } = new();

    /// <summary>Each operation's deadline across all its retries, unless the caller's token fires first.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt on one member may take before the client tries again (elsewhere).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The pause between attempts.</summary>
    public TimeSpan RetryBackOff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The session's idle timeout asked for when it opens (null: the cluster's default, 10 minutes).</summary>
    public TimeSpan? SessionTimeout { get; set; }

    /// <summary>When set, the client sends a keep-alive this often while its session is open, so an idle client
    /// keeps its session (choose well below <see cref="SessionTimeout"/>). Null (the default): no automatic
    /// keep-alives; call <see cref="TubeClient.KeepAliveAsync"/> when idle for long.</summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>
    /// When a write is the only one this client has in flight, the client also asks one follower for its reply; the
    /// first reply to arrive (the follower's or the leader's; they are the same) completes the call. The follower
    /// learns that the write committed from the leader's durable notice and its own disk, which can be up to one
    /// network hop before the leader can answer. It costs three more messages per such write (the wait, the notice,
    /// the follower's reply) and a connection to one follower; writes that overlap others on the same client go to
    /// the leader alone. Default false: on loopback, where a hop costs little more than the work of a message, it
    /// made lone writes slower (docs/tube-bench.md); consider it where hops between machines are slow.
    /// </summary>
    public bool FollowerReplies { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message says which.</exception>
    public void Validate()
    {
        if (Members.Count == 0)
        {
            throw new ArgumentException("TubeClientOptions.Members is empty; list at least one member's address.");
        }

        if (KeepAliveInterval is { } keepAlive && keepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentException("TubeClientOptions.KeepAliveInterval must be positive, or null for none.");
        }

        if (OperationTimeout <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero || RetryBackOff < TimeSpan.Zero)
        {
            throw new ArgumentException("TubeClientOptions timeouts must be positive and the back-off not negative.");
        }
    }
}
