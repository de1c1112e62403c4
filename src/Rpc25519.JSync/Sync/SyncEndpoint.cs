using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// What the giver and the taker share: the channel, the local root, the agreed options, and the rule that a side which
/// fails aborts the channel with its reason, so the other side stops at once instead of waiting.
/// </summary>
internal abstract class SyncEndpoint
{
    protected SyncEndpoint(IJSyncChannel channel, string root, SyncOptions options, IProgress<SyncProgress>? progress)
    {
        Progress = new ProgressCounter(progress);
        Channel = channel;
        Root = root;
        Options = options;
        Chunker = options.ToChunkerOptions();
    }

    protected IJSyncChannel Channel { get; }

    protected string Root { get; }

    protected SyncOptions Options { get; }

    protected ChunkerOptions Chunker { get; }

    protected ProgressCounter Progress { get; }

    /// <summary>Scans the local root with the agreed excludes (and digests in checksum mode).</summary>
    protected ScanResult ScanLocal() => new TreeScanner(new ExcludeFilter(Options.Excludes), Options.Checksum).Scan(Root);

    /// <summary>Runs this side to the end; on failure tells the other side why, then rethrows.</summary>
    public async Task<SyncResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not JSyncRemoteException)
        {
            Channel.Abort(ex.Message);
            throw;
        }
    }

    protected abstract Task<SyncResult> RunCoreAsync(CancellationToken cancellationToken);
}
