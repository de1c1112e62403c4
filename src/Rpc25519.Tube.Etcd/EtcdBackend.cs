using Microsoft.Extensions.Logging;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Etcd.Wire;

namespace Rpc25519.Tube.Etcd;

/// <summary>What the etcd services share: the Tube client, the table, the header they stamp on answers, and the
/// highest revision seen (for answers that carry none of their own, such as keep-alives).</summary>
internal sealed class EtcdBackend(TubeClient client, EtcdEndpointOptions options, ILogger logger)
{
    /// <summary>The highest log index an answer has carried so far (updated with Interlocked).</summary>
    private long lastRevision;

    public TubeClient Client { get; } = client;

    public string Table { get; } = options.Table;

    public EtcdEndpointOptions Options { get; } = options;

    public ILogger Logger { get; } = logger;

    /// <summary>The Raft term last learned from the cluster (at start, and on every Status call); sent as
    /// raft_term.</summary>
    public long Term { get; set; }

    /// <summary>A response header at <paramref name="revision"/> (or the highest seen so far, when 0).</summary>
    public ResponseHeader Header(long revision = 0)
    {
        long seen = Volatile.Read(ref lastRevision);
        while (revision > seen)
        {
            long was = Interlocked.CompareExchange(ref lastRevision, revision, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }

        return new ResponseHeader
        {
            ClusterId = Options.ClusterId, MemberId = Options.MemberId, Revision = Math.Max(revision, seen),
            RaftTerm = (ulong)Math.Max(1, Term),
        };
    }
}
