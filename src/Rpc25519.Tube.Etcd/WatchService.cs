using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Rpc25519.Tube.Etcd.Wire;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Etcd;

/// <summary>etcd's Watch service over <see cref="Client.TubeClient.WatchAsync"/>: a watch from revision R follows
/// Tube's change feed from log index R (no start revision: from the current applied index + 1). Each stream has one
/// writer loop; every watch on it feeds that loop through a bounded queue.</summary>
internal sealed class WatchService(EtcdBackend backend) : Watch.WatchBase
{
    private const string CompactedReason = "etcdserver: mvcc: required revision has been compacted";

    public override async Task Watch(IAsyncStreamReader<WatchRequest> requestStream,
        IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var outbox = Channel.CreateBounded<WatchResponse>(new BoundedChannelOptions(256) { SingleReader = true });
        Task writer = WriteAllAsync(outbox.Reader, responseStream, stream.Token);
        // Touched only by this loop: the watches of the stream by id.
        var watches = new SortedDictionary<long, (CancellationTokenSource Stop, Task Follow)>();
        long nextId = 0;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(stream.Token))
            {
                switch (request.RequestUnionCase)
                {
                    case WatchRequest.RequestUnionOneofCase.CreateRequest:
                    {
                        var create = request.CreateRequest;
                        long id = create.WatchId;
                        if (id == 0)
                        {
                            while (watches.ContainsKey(nextId))
                            {
                                nextId++;
                            }

                            id = nextId++;
                        }

                        long current = await CurrentRevisionAsync(stream.Token);
                        if (watches.ContainsKey(id))
                        {
                            await outbox.Writer.WriteAsync(new WatchResponse
                            {
                                Header = backend.Header(current), WatchId = id, Created = true, Canceled = true,
                                CancelReason = "etcdserver: duplicate watch ID provided on the WatchStream",
                            }, stream.Token);
                            break;
                        }

                        long from = create.StartRevision > 0 ? create.StartRevision : current + 1;
                        await outbox.Writer.WriteAsync(
                            new WatchResponse { Header = backend.Header(current), WatchId = id, Created = true }, stream.Token);
                        var stop = CancellationTokenSource.CreateLinkedTokenSource(stream.Token);
                        watches[id] = (stop, FollowAsync(id, create, from, outbox.Writer, stop.Token));
                        break;
                    }

                    case WatchRequest.RequestUnionOneofCase.CancelRequest:
                    {
                        long id = request.CancelRequest.WatchId;
                        if (watches.Remove(id, out var watch))
                        {
                            await watch.Stop.CancelAsync();
                            await Ended(watch.Follow);
                            watch.Stop.Dispose();
                            await outbox.Writer.WriteAsync(
                                new WatchResponse { Header = backend.Header(), WatchId = id, Canceled = true }, stream.Token);
                        }

                        break;
                    }

                    case WatchRequest.RequestUnionOneofCase.ProgressRequest:
                    {
                        long current = await CurrentRevisionAsync(stream.Token);
                        await outbox.Writer.WriteAsync(new WatchResponse { Header = backend.Header(current), WatchId = -1 },
                            stream.Token);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stream.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (TubeException e)
        {
            throw EtcdErrors.From(e)!;
        }
        finally
        {
            await stream.CancelAsync();
            foreach (var (stop, follow) in watches.Values)
            {
                await Ended(follow);
                stop.Dispose();
            }

            outbox.Writer.TryComplete();
            await Ended(writer);
        }
    }

    private async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken)
    {
        var probe = new KvTxn { Success = [new KvTxnOp { Kind = KvTxnOpKind.Range, Key = [0], EndKey = [0, 0], CountOnly = true }] };
        return (await backend.Client.TransactAsync(backend.Table, probe, cancellationToken: cancellationToken)).Revision;
    }

    private async Task FollowAsync(long id, WatchCreateRequest create, long from, ChannelWriter<WatchResponse> outbox,
        CancellationToken cancellationToken)
    {
        var (start, end) = EtcdMapping.Range(create.Key, create.RangeEnd);
        bool exact = create.RangeEnd.IsEmpty;
        byte[]? prefixEnd = ByteKeys.PrefixEnd(start);
        bool isPrefix = !exact && end is not null && prefixEnd is not null && end.AsSpan().SequenceEqual(prefixEnd);
        byte[] watched = exact || isPrefix ? start : [];
        bool noPut = create.Filters.Contains(WatchCreateRequest.Types.FilterType.Noput);
        bool noDelete = create.Filters.Contains(WatchCreateRequest.Types.FilterType.Nodelete);
        try
        {
            await foreach (ChangeEvent change in backend.Client.WatchAsync(backend.Table, watched, from, prefix: !exact,
                               cancellationToken))
            {
                bool put = change.Kind == ChangeKind.Put;
                if ((!put && change.Kind != ChangeKind.Delete) || (put && noPut) || (!put && noDelete)
                    || !InRange(change.Key, start, end))
                {
                    continue;
                }

                var kv = new KeyValue { Key = ByteString.CopyFrom(change.Key), ModRevision = change.Index };
                if (put)
                {
                    kv.Value = ByteString.CopyFrom(change.Value ?? []);
                    kv.Version = change.Version;
                    // The feed does not carry the create index; a first version was created right here.
                    kv.CreateRevision = change.Version == 1 ? change.Index : 0;
                }

                var response = new WatchResponse { Header = backend.Header(change.Index), WatchId = id };
                response.Events.Add(new Event { Type = put ? Event.Types.EventType.Put : Event.Types.EventType.Delete, Kv = kv });
                await outbox.WriteAsync(response, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the client or the stream's end.
        }
        catch (ChangeFeedCompactedException e)
        {
            await Cancel(id, outbox, e.OldestAvailableIndex, CompactedReason, cancellationToken);
        }
        catch (TubeException e)
        {
            EtcdLog.WatchEnded(backend.Logger, id, e.Message);
            await Cancel(id, outbox, 0, "etcdserver: " + e.Message, cancellationToken);
        }
    }

    private async Task Cancel(long id, ChannelWriter<WatchResponse> outbox, long compactRevision, string reason,
        CancellationToken cancellationToken)
    {
        try
        {
            await outbox.WriteAsync(new WatchResponse
            {
                Header = backend.Header(), WatchId = id, Canceled = true, CompactRevision = compactRevision,
                CancelReason = reason,
            }, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // The stream ended first.
        }
    }

    private static async Task WriteAllAsync(ChannelReader<WatchResponse> outbox, IServerStreamWriter<WatchResponse> stream,
        CancellationToken cancellationToken)
    {
        await foreach (var response in outbox.ReadAllAsync(cancellationToken))
        {
            await stream.WriteAsync(response, cancellationToken);
        }
    }

    /// <summary>Waits for a loop that was told to stop; its cancellation is the expected end.</summary>
    private static async Task Ended(Task loop)
    {
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped as asked.
        }
    }

    private static bool InRange(byte[] key, byte[] start, byte[]? end) =>
        key.AsSpan().SequenceCompareTo(start) >= 0 && (end is null || key.AsSpan().SequenceCompareTo(end) < 0);
}
