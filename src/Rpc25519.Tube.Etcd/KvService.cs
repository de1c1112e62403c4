using Grpc.Core;
using Rpc25519.Tube.Etcd.Wire;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Etcd;

/// <summary>etcd's KV service: every call is one Tube <see cref="KvTxn"/> on the etcd table, so a Put, a
/// DeleteRange or a Txn is applied atomically at one log index, and a Range (or a read-only Txn) is a linearizable
/// read (a lease read when the request is serializable).</summary>
internal sealed class KvService(EtcdBackend backend) : KV.KVBase
{
    public override Task<RangeResponse> Range(RangeRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            var op = EtcdMapping.RangeOp(request);
            var mode = request.Serializable ? ReadMode.Lease : ReadMode.Linearizable;
            KvResult result = await backend.Client.TransactAsync(backend.Table, new KvTxn { Success = [op] }, mode,
                context.CancellationToken);
            CheckRevision(request.Revision, result.Revision);
            return EtcdMapping.ToRangeResponse(request, result.Results![0], backend.Header(result.Revision));
        });

    public override Task<PutResponse> Put(PutRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            KvResult result = await backend.Client.TransactAsync(backend.Table,
                new KvTxn { Success = [EtcdMapping.PutOp(request)] }, cancellationToken: context.CancellationToken);
            return ToPutResponse(result.Results![0], backend.Header(result.Revision));
        });

    public override Task<DeleteRangeResponse> DeleteRange(DeleteRangeRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            KvResult result = await backend.Client.TransactAsync(backend.Table,
                new KvTxn { Success = [EtcdMapping.DeleteOp(request)] }, cancellationToken: context.CancellationToken);
            return ToDeleteResponse(result.Results![0], backend.Header(result.Revision));
        });

    public override Task<TxnResponse> Txn(TxnRequest request, ServerCallContext context) =>
        EtcdErrors.Guard(async () =>
        {
            var txn = new KvTxn
            {
                Compares = [.. request.Compare.Select(EtcdMapping.ToCompare)],
                Success = [.. request.Success.Select(ToOp)],
                Failure = [.. request.Failure.Select(ToOp)],
            };
            KvResult result = await backend.Client.TransactAsync(backend.Table, txn,
                cancellationToken: context.CancellationToken);
            var header = backend.Header(result.Revision);
            var branch = result.Succeeded ? request.Success : request.Failure;
            var response = new TxnResponse { Header = header, Succeeded = result.Succeeded };
            for (int i = 0; i < branch.Count; i++)
            {
                response.Responses.Add(ToResponseOp(branch[i], result.Results![i], header));
            }

            return response;
        });

    /// <summary>Tube keeps no history: a read at an older revision than the current one cannot be served.</summary>
    private static void CheckRevision(long asked, long current)
    {
        if (asked > current)
        {
            throw EtcdErrors.FutureRevision();
        }

        if (asked > 0 && asked < current)
        {
            throw EtcdErrors.Compacted();
        }
    }

    private static KvTxnOp ToOp(RequestOp op) => op.RequestCase switch
    {
        RequestOp.RequestOneofCase.RequestRange => EtcdMapping.RangeOp(op.RequestRange),
        RequestOp.RequestOneofCase.RequestPut => EtcdMapping.PutOp(op.RequestPut),
        RequestOp.RequestOneofCase.RequestDeleteRange => EtcdMapping.DeleteOp(op.RequestDeleteRange),
        RequestOp.RequestOneofCase.RequestTxn => throw EtcdErrors.Unimplemented("a nested transaction"),
        _ => throw EtcdErrors.InvalidArgument("a transaction operation without a request"),
    };

    private static ResponseOp ToResponseOp(RequestOp op, KvResult result, ResponseHeader header) => op.RequestCase switch
    {
        RequestOp.RequestOneofCase.RequestRange =>
            new ResponseOp { ResponseRange = EtcdMapping.ToRangeResponse(op.RequestRange, result, header) },
        RequestOp.RequestOneofCase.RequestPut => new ResponseOp { ResponsePut = ToPutResponse(result, header) },
        _ => new ResponseOp { ResponseDeleteRange = ToDeleteResponse(result, header) },
    };

    private static PutResponse ToPutResponse(KvResult result, ResponseHeader header)
    {
        var response = new PutResponse { Header = header };
        if (result.Item is { } previous)
        {
            response.PrevKv = EtcdMapping.ToKeyValue(previous);
        }

        return response;
    }

    private static DeleteRangeResponse ToDeleteResponse(KvResult result, ResponseHeader header)
    {
        var response = new DeleteRangeResponse { Header = header, Deleted = result.Count };
        response.PrevKvs.AddRange((result.Items ?? []).Select(i => EtcdMapping.ToKeyValue(i)));
        return response;
    }
}
