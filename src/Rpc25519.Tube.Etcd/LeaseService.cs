using Grpc.Core;
using Rpc25519.Tube.Etcd.Wire;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Etcd;

using RpcException = Grpc.Core.RpcException;

/// <summary>etcd's Lease service. An etcd lease is a Tube session opened for it alone: the lease ID is the session
/// id, the TTL is the session's idle timeout, a keep-alive restarts it, a revoke closes it, and the keys put with the
/// lease are owned by the session, so Tube deletes them when it ends (revoked, or expired by log time).</summary>
internal sealed class LeaseService(EtcdBackend backend) : Lease.LeaseBase
{
    public override Task<LeaseGrantResponse> LeaseGrant(LeaseGrantRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            if (request.ID != 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    "etcdserver: Tube's etcd endpoint picks lease IDs itself (they are Tube session ids); send ID 0"));
            }

            long minSeconds = (long)Math.Ceiling(backend.Options.MinLeaseTtl.TotalSeconds);
            var ttl = TimeSpan.FromSeconds(Math.Max(request.TTL, minSeconds));
            var session = await backend.Client.OpenOwnerSessionAsync(ttl, context.CancellationToken);
            return new LeaseGrantResponse
            {
                Header = backend.Header(session.SessionId), ID = session.SessionId, TTL = session.TimeoutMs / 1000,
            };
        });

    public override Task<LeaseRevokeResponse> LeaseRevoke(LeaseRevokeRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            RefuseOwnSession(request.ID);
            try
            {
                await backend.Client.EndSessionAsync(request.ID, context.CancellationToken);
            }
            catch (SessionExpiredException)
            {
                throw EtcdErrors.LeaseNotFound();
            }

            return new LeaseRevokeResponse { Header = backend.Header() };
        });

    public override async Task LeaseKeepAlive(IAsyncStreamReader<LeaseKeepAliveRequest> requestStream,
        IServerStreamWriter<LeaseKeepAliveResponse> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            // etcd answers a keep-alive of an unknown lease with TTL 0, not with an error.
            long ttl = 0;
            if (request.ID != backend.Client.SessionId)
            {
                try
                {
                    var session = await backend.Client.KeepSessionAliveAsync(request.ID, context.CancellationToken);
                    ttl = session.TimeoutMs / 1000;
                }
                catch (SessionExpiredException)
                {
                    ttl = 0;
                }
                catch (TubeException e)
                {
                    throw EtcdErrors.From(e)!;
                }
            }

            await responseStream.WriteAsync(new LeaseKeepAliveResponse { Header = backend.Header(), ID = request.ID, TTL = ttl },
                context.CancellationToken);
        }
    }

    public override Task<LeaseTimeToLiveResponse> LeaseTimeToLive(LeaseTimeToLiveRequest request,
        ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            var result = await backend.Client.GetSessionKeysAsync(backend.Table, request.ID,
                cancellationToken: context.CancellationToken);
            var response = new LeaseTimeToLiveResponse { Header = backend.Header(result.Revision), ID = request.ID };
            if (result.Session is not { } session || request.ID == backend.Client.SessionId)
            {
                // etcd's answer for a lease that is gone: TTL -1.
                response.TTL = -1;
                return response;
            }

            response.GrantedTTL = session.TimeoutMs / 1000;
            response.TTL = Math.Max(0, (session.ExpiresAtMs - result.LogTimeMs) / 1000);
            if (request.Keys)
            {
                response.Keys.AddRange(result.Keys!.Select(Google.Protobuf.ByteString.CopyFrom));
            }

            return response;
        });

    /// <summary>The endpoint's own Tube session is not a lease: revoking it would cut the endpoint off.</summary>
    private void RefuseOwnSession(long id)
    {
        if (id == backend.Client.SessionId)
        {
            throw EtcdErrors.LeaseNotFound();
        }
    }
}
