using Grpc.Core;
using Rpc25519.Tube.Etcd.Wire;

namespace Rpc25519.Tube.Etcd;

/// <summary>etcd's Cluster.MemberList: this endpoint as the one member clients should talk to.</summary>
internal sealed class ClusterService(EtcdBackend backend, EtcdEndpointAddress address) : Cluster.ClusterBase
{
    public override Task<MemberListResponse> MemberList(MemberListRequest request, ServerCallContext context)
    {
        var response = new MemberListResponse { Header = backend.Header() };
        var member = new Member { ID = backend.Options.MemberId, Name = "tube-" + backend.Options.MemberId };
        member.ClientURLs.Add("http://" + address.Value);
        response.Members.Add(member);
        return Task.FromResult(response);
    }
}

/// <summary>etcd's Maintenance.Status, filled from the Tube member this endpoint's client talks to.</summary>
internal sealed class MaintenanceService(EtcdBackend backend) : Maintenance.MaintenanceBase
{
    /// <summary>The etcd API version clients are told (the feature level this endpoint follows).</summary>
    public const string ApiVersion = "3.5.0";

    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            var status = await backend.Client.GetStatusAsync(cancellationToken: context.CancellationToken);
            backend.Term = status.Term;
            return new StatusResponse
            {
                Header = backend.Header(status.AppliedIndex), Version = ApiVersion, Leader = status.LeaderId,
                RaftIndex = (ulong)status.CommitIndex, RaftTerm = (ulong)status.Term,
                RaftAppliedIndex = (ulong)status.AppliedIndex,
            };
        });
}

/// <summary>The address the endpoint ended up listening on (known once Kestrel has bound).</summary>
internal sealed class EtcdEndpointAddress
{
    public string Value { get; set; } = "";
}
