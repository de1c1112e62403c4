using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// The taker's receive loop for file data: routes each plan and end to the rebuilder of its file id. A file that fails
/// (verification, an unreadable source) is reported and the others go on — or, when its rebuild reused chunks and a
/// retry is allowed, handed back to be fetched again without reuse. A broken protocol stops the sync. Whatever was
/// written for an unfinished file stays as a partial for the next run.
/// </summary>
internal sealed class FileReceiver
{
    private readonly IJSyncChannel _channel;
    private readonly SyncResult _result;
    private readonly ProgressCounter _progress;
    private readonly bool _fsyncEachFile;
    private readonly bool _startWriteback;

    /// <summary>Creates a receiver that counts into <paramref name="result"/> and reports to <paramref name="progress"/>;
    /// <paramref name="durable"/> as <see cref="SyncOptions.Durable"/>.</summary>
    public FileReceiver(IJSyncChannel channel, SyncResult result, ProgressCounter progress, bool durable)
    {
        _channel = channel;
        _result = result;
        _progress = progress;
        // Where syncfs works the commit makes all temp files durable at once; elsewhere each is fsynced as it closes.
        _fsyncEachFile = durable && !FileMetadata.CanSyncFileSystem;
        // ... and each file's write-back starts when it closes, so that syncfs finds little left to write.
        _startWriteback = durable && FileMetadata.CanSyncFileSystem;
    }

    /// <summary>Receives plans and ends until every file of <paramref name="expected"/> finished or failed.</summary>
    /// <returns>The files to fetch again without reuse (empty unless <paramref name="allowRetry"/>).</returns>
    public async Task<List<FileTarget>> ReceiveAsync(IReadOnlyList<FileTarget> expected, ChunkSourceReader sources,
        List<PendingCommit> commits, bool allowRetry, CancellationToken cancellationToken)
    {
        var open = expected.ToDictionary(t => t.Id);
        var rebuilders = new Dictionary<int, FileRebuilder>();
        var failed = new HashSet<int>();
        var retry = new List<FileTarget>();
        try
        {
            while (open.Count > 0)
            {
                JSyncMessage message = await _channel.ReceiveAsync(cancellationToken);
                (int id, FileEnd? end) = message switch
                {
                    FilePlan p => (p.FileId, p.End),
                    FileEnd e => (e.FileId, e),
                    FileError e => (e.FileId, null),
                    SyncError e => throw new JSyncRemoteException(e.Message),
                    _ => throw new JSyncProtocolException($"The taker did not expect a {message.GetType().Name} while receiving files."),
                };
                if (!open.TryGetValue(id, out FileTarget? target))
                {
                    throw new JSyncProtocolException($"The giver sent data for file id {id}, which is not an open request.");
                }
                if (message is FileError fileError)
                {
                    _result.Errors.Add($"{target.Entry.Path}: {fileError.Message}");
                    open.Remove(id);
                    _progress.AddDone(0, fileDone: true);
                    if (rebuilders.Remove(id, out FileRebuilder? abandoned))
                    {
                        abandoned.Dispose(); // keep what arrived as a partial for the next run
                    }
                    continue;
                }
                if (failed.Contains(id))
                {
                    if (end is not null)
                    {
                        open.Remove(id);
                    }
                    continue;
                }
                FileRebuilder? rebuilder = null;
                try
                {
                    if (!rebuilders.TryGetValue(id, out rebuilder))
                    {
                        rebuilder = new FileRebuilder(target.Entry.Path, target.TargetPath, target.TempPath, sources, _result, _startWriteback);
                        rebuilders[id] = rebuilder;
                    }
                    if (message is FilePlan plan)
                    {
                        rebuilder.Apply(plan.Steps, plan.Data.Span);
                        _progress.AddDone(plan.Steps.Sum(s => s.Length), fileDone: false);
                    }
                    if (end is not null)
                    {
                        rebuilders.Remove(id);
                        open.Remove(id);
                        using (rebuilder)
                        {
                            commits.Add(rebuilder.Finish(end, fsync: _fsyncEachFile));
                        }
                        _result.FilesTransferred++;
                        _progress.AddDone(0, fileDone: true);
                    }
                }
                catch (Exception ex) when (ex is JSyncVerificationException or IOException or UnauthorizedAccessException)
                {
                    rebuilders.Remove(id);
                    if (allowRetry && rebuilder is { UsedCopies: true })
                    {
                        rebuilder.Discard(); // fetched again from scratch below
                        retry.Add(target);
                    }
                    else
                    {
                        _result.Errors.Add($"{target.Entry.Path}: {ex.Message}");
                        rebuilder?.Dispose();
                    }
                    if (end is null)
                    {
                        failed.Add(id);
                    }
                    else
                    {
                        open.Remove(id);
                    }
                    _progress.AddDone(0, fileDone: true);
                }
            }
        }
        finally
        {
            foreach (FileRebuilder unfinished in rebuilders.Values)
            {
                unfinished.Dispose(); // interrupted: what arrived stays as a partial for the next run
            }
        }
        return retry;
    }
}
