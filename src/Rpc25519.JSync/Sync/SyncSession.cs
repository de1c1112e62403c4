using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Safety;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Runs one sync over an <see cref="IJSyncChannel"/>. The initiator names its role (giver = push, taker = pull) and a
/// path under the responder's root; the responder plays the other role. Both roles run the same code whichever side
/// started, so push and pull are symmetric. Both sides return the same <see cref="SyncResult"/>.
/// </summary>
public static class SyncSession
{
    /// <summary>Starts a sync from this side.</summary>
    /// <param name="channel">The conversation with the responder.</param>
    /// <param name="localRole">Giver to push <paramref name="localPath"/>, taker to pull into it.</param>
    /// <param name="localPath">The local tree (or file).</param>
    /// <param name="remotePath">Path under the responder's root ("" for the root).</param>
    /// <param name="options">What to do; sent to the responder.</param>
    /// <param name="cancellationToken">Stops the sync; a stopped sync resumes on the next run.</param>
    /// <param name="progress">Optional: told after every step of the file transfer how far it is (see
    /// <see cref="SyncProgress"/>), on the sync's own thread, so it should only store or post the value.</param>
    /// <exception cref="PathEscapeException"><paramref name="remotePath"/> is not a plain relative path.</exception>
    public static async Task<SyncResult> InitiateAsync(IJSyncChannel channel, SyncRole localRole, string localPath,
        string remotePath, SyncOptions options, CancellationToken cancellationToken = default,
        IProgress<SyncProgress>? progress = null)
    {
        SafePath.Validate(remotePath);
        _ = options.ToChunkerOptions();
        await channel.SendAsync(new SyncRequest { InitiatorRole = localRole, Path = remotePath, Options = options }, cancellationToken);
        return await RunRoleAsync(channel, localRole, Path.GetFullPath(localPath), options, progress, cancellationToken);
    }

    /// <summary>Answers a sync request on <paramref name="channel"/>, serving the tree under <paramref name="root"/>.</summary>
    /// <param name="channel">The conversation with the initiator.</param>
    /// <param name="root">The one root this side serves; every path is confined to it.</param>
    /// <param name="readOnly">Refuse to be the taker (no pushes into this root).</param>
    /// <param name="cancellationToken">Stops the sync.</param>
    public static async Task<SyncResult> RespondAsync(IJSyncChannel channel, string root, bool readOnly = false,
        CancellationToken cancellationToken = default)
    {
        JSyncMessage first = await channel.ReceiveAsync(cancellationToken);
        if (first is SyncError error)
        {
            throw new JSyncRemoteException(error.Message);
        }
        if (first is not SyncRequest request)
        {
            throw Refuse(channel, new JSyncProtocolException($"A sync starts with a request, not a {first.GetType().Name}."));
        }
        SyncRole role = request.InitiatorRole == SyncRole.Giver ? SyncRole.Taker : SyncRole.Giver;
        if (readOnly && role == SyncRole.Taker)
        {
            throw Refuse(channel, new JSyncException("This side is read-only: it can be pulled from but not pushed to."));
        }
        string local;
        try
        {
            _ = request.Options.ToChunkerOptions();
            local = SafePath.Resolve(Path.GetFullPath(root), request.Path);
        }
        catch (Exception ex) when (ex is PathEscapeException or ArgumentOutOfRangeException)
        {
            throw Refuse(channel, ex);
        }
        return await RunRoleAsync(channel, role, local, request.Options, progress: null, cancellationToken);
    }

    private static Exception Refuse(IJSyncChannel channel, Exception ex)
    {
        channel.Abort(ex.Message);
        return ex;
    }

    private static async Task<SyncResult> RunRoleAsync(IJSyncChannel channel, SyncRole role, string path,
        SyncOptions options, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        path = FollowRootLink(path);
        long started = Diagnostics.JSyncMetrics.Start();
        SyncResult? result = null;
        Exception? failure = null;
        try
        {
            result = await (role == SyncRole.Giver
                ? new SyncGiver(channel, path, options, progress).RunAsync(cancellationToken)
                : new SyncTaker(channel, path, options, progress).RunAsync(cancellationToken));
            return result;
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            Diagnostics.JSyncMetrics.Ended(role, started, result, failure);
        }
    }

    /// <summary>
    /// The root the user named is followed if it is itself a symlink (like rsync's destination), so a linked root is
    /// synced through, not replaced. Links inside the root are never followed.
    /// </summary>
    private static string FollowRootLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null)
        {
            return path;
        }
        FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
        return target is not null && Path.Exists(target.FullName) ? target.FullName : path;
    }
}
