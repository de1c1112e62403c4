using Grpc.Core;
using Rpc25519.Tube.Etcd;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>Tube's refusals as an etcd client sees them.</summary>
public sealed class EtcdErrorsTests
{
    [Fact]
    public void AFullStoreOrSessionTableIsEtcdsDatabaseSpaceExceeded()
    {
        foreach (TubeException refusal in new TubeException[]
                 {
                     new StateLimitException("full"), new SessionLimitException("too many"),
                 })
        {
            Grpc.Core.RpcException mapped = EtcdErrors.From(refusal)!;
            Assert.Equal(StatusCode.ResourceExhausted, mapped.StatusCode);
            Assert.StartsWith("etcdserver: mvcc: database space exceeded", mapped.Status.Detail);
        }

        Assert.Equal(StatusCode.Internal, EtcdErrors.From(new StateMachineFaultException("bug"))!.StatusCode);
    }
}
