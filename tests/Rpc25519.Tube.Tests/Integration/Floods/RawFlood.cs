using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Tests.Integration.Floods;

/// <summary>What one raw request got: the replica's error code (None for an answer), or the exception the call
/// ended with, and how long it took in virtual time.</summary>
internal readonly record struct FloodOutcome(TubeErrorCode Error, string? Failure, TimeSpan Took);

/// <summary>Sends many raw client requests to one replica on one connection, all at once (none waits for the one
/// before), the way a careless or hostile client would.</summary>
internal sealed class RawFlood : IAsyncDisposable
{
    private readonly RpcClient raw;
    private readonly TimeProvider time;

    private RawFlood(RpcClient raw, TimeProvider time)
    {
        this.raw = raw;
        this.time = time;
    }

    /// <summary>Connects from the cluster's client node to replica <paramref name="i"/>; call on the client node.
    /// </summary>
    public static async Task<RawFlood> ConnectAsync(SimTubeCluster cluster, int i)
    {
        RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
        options.ServerAddress = cluster.Address(i);
        return new RawFlood(await RpcClient.ConnectAsync(options), cluster.ClientNode.TimeProvider);
    }

    /// <summary>Starts every request now; the tasks end with each one's outcome (a call that gets no answer
    /// within <paramref name="deadline"/> ends as a failure).</summary>
    public Task<FloodOutcome>[] Send(IEnumerable<byte[]> payloads, TimeSpan deadline) =>
        [.. payloads.Select(payload => SendOneAsync(payload, deadline))];

    /// <summary>Like <see cref="Send"/> for requests.</summary>
    public Task<FloodOutcome>[] Send(IEnumerable<TubeRequest> requests, TimeSpan deadline) =>
        Send(requests.Select(r => r.ToBytes()), deadline);

    private async Task<FloodOutcome> SendOneAsync(byte[] payload, TimeSpan deadline)
    {
        var message = new Message { Payload = payload };
        message.Header.ServiceName = TubeServiceNames.Client;
        DateTimeOffset start = time.GetUtcNow();
        using var cancel = new CancellationTokenSource(deadline, time);
        try
        {
            Message reply = await raw.CallAsync(message, cancel.Token);
            return new FloodOutcome(TubeResponse.FromBytes(reply.Payload).Error, null, time.GetUtcNow() - start);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            return new FloodOutcome(TubeErrorCode.None, e.GetType().Name, time.GetUtcNow() - start);
        }
    }

    public ValueTask DisposeAsync() => raw.DisposeAsync();
}
