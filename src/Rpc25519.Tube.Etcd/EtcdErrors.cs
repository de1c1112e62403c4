using Grpc.Core;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Etcd;

using RpcException = Grpc.Core.RpcException;

/// <summary>Tube's refusals as the gRPC statuses and messages etcd sends for the same case (clients match on
/// both).</summary>
internal static class EtcdErrors
{
    public const string LeaseNotFoundMessage = "etcdserver: requested lease not found";

    public static RpcException KeyNotProvided() =>
        new(new Status(StatusCode.InvalidArgument, "etcdserver: key is not provided"));

    public static RpcException LeaseNotFound() => new(new Status(StatusCode.NotFound, LeaseNotFoundMessage));

    public static RpcException InvalidArgument(string detail) =>
        new(new Status(StatusCode.InvalidArgument, "etcdserver: " + detail));

    public static RpcException Unimplemented(string what) =>
        new(new Status(StatusCode.Unimplemented, $"etcdserver: {what} is not supported by Tube's etcd endpoint (docs/tube-etcd.md)"));

    public static RpcException FutureRevision() =>
        new(new Status(StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision"));

    public static RpcException Compacted() =>
        new(new Status(StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"));

    /// <summary>Maps a Tube exception; anything else is left to gRPC (which reports it as UNKNOWN).</summary>
    public static RpcException? From(Exception e) => e switch
    {
        RpcException rpc => rpc,
        OwnerSessionNotFoundException => LeaseNotFound(),
        ValueTooLargeException t => new RpcException(new Status(StatusCode.InvalidArgument, "etcdserver: request is too large: " + t.Message)),
        InvalidCommandException or MalformedCommandException =>
            new RpcException(new Status(StatusCode.InvalidArgument, "etcdserver: " + e.Message)),
        KeyLeasedException => new RpcException(new Status(StatusCode.FailedPrecondition, "etcdserver: " + e.Message)),
        StateLimitException or SessionLimitException =>
            new RpcException(new Status(StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded: " + e.Message)),
        NotLeaderException or NoQuorumException or TubeUnavailableException =>
            new RpcException(new Status(StatusCode.Unavailable, "etcdserver: request timed out: " + e.Message)),
        TubeException => new RpcException(new Status(StatusCode.Internal, "etcdserver: " + e.Message)),
        _ => null,
    };

    /// <summary>Runs a call and turns Tube's exceptions into etcd's statuses.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is TubeException)
        {
            throw From(e)!;
        }
    }
}
