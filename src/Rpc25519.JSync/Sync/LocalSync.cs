using System.Runtime.ExceptionServices;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Syncs two local trees through the real protocol over an <see cref="InMemoryChannel"/> pair: the same code paths a
/// network sync takes, minus the network. Push and pull differ only in which side starts.
/// </summary>
public static class LocalSync
{
    /// <summary>Makes <paramref name="destination"/> like <paramref name="source"/>; the source side starts (push).</summary>
    public static Task<SyncResult> PushAsync(string source, string destination, SyncOptions options, CancellationToken cancellationToken = default)
    {
        var (a, b) = InMemoryChannel.CreatePair();
        return RunPairAsync(a, b, SyncRole.Giver, source, destination, options, cancellationToken);
    }

    /// <summary>Makes <paramref name="destination"/> like <paramref name="source"/>; the destination side starts (pull).</summary>
    public static Task<SyncResult> PullAsync(string source, string destination, SyncOptions options, CancellationToken cancellationToken = default)
    {
        var (a, b) = InMemoryChannel.CreatePair();
        return RunPairAsync(a, b, SyncRole.Taker, destination, source, options, cancellationToken);
    }

    /// <summary>
    /// Runs an initiator on <paramref name="initiatorChannel"/> and a responder serving <paramref name="responderRoot"/>
    /// on <paramref name="responderChannel"/>, concurrently on the caller's scheduler. When one side fails the other is
    /// stopped, and the first real failure is thrown.
    /// </summary>
    public static async Task<SyncResult> RunPairAsync(IJSyncChannel initiatorChannel, IJSyncChannel responderChannel,
        SyncRole initiatorRole, string initiatorPath, string responderRoot, SyncOptions options, CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<SyncResult> initiator = StopOnFailure(
            SyncSession.InitiateAsync(initiatorChannel, initiatorRole, initiatorPath, "", options, stop.Token), stop);
        Task<SyncResult> responder = StopOnFailure(
            SyncSession.RespondAsync(responderChannel, responderRoot, readOnly: false, stop.Token), stop);
        try
        {
            await Task.WhenAll(initiator, responder);
        }
        catch (Exception)
        {
            Exception? first = Failure(initiator, remote: false) ?? Failure(responder, remote: false)
                ?? Failure(initiator, remote: true) ?? Failure(responder, remote: true);
            if (first is not null)
            {
                ExceptionDispatchInfo.Capture(first).Throw();
            }
            throw;
        }
        return await initiator;
    }

    private static async Task<SyncResult> StopOnFailure(Task<SyncResult> task, CancellationTokenSource stop)
    {
        try
        {
            return await task;
        }
        catch (Exception)
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private static Exception? Failure(Task task, bool remote) =>
        task.Exception?.InnerException is { } ex && ex is not OperationCanceledException && (ex is JSyncRemoteException) == remote
            ? ex
            : null;
}
