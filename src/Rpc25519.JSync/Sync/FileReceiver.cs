using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// The taker's receive loop for file data: routes each plan, literal and end to the rebuilder of its file id. A file
/// that fails (verification, an unreadable source) is reported and the others go on; a broken protocol stops the sync.
/// Whatever was written for an unfinished file stays as a partial for the next run.
/// </summary>
internal sealed class FileReceiver
{
    private readonly IJSyncChannel _channel;
    private readonly SyncResult _result;

    /// <summary>Creates a receiver that counts into <paramref name="result"/>.</summary>
    public FileReceiver(IJSyncChannel channel, SyncResult result)
    {
        _channel = channel;
        _result = result;
    }

    /// <summary>Receives plans, literals and ends until every requested file finished or failed.</summary>
    public async Task ReceiveAsync(List<FileTarget> targets, ChunkSourceReader sources, List<PendingCommit> commits, CancellationToken cancellationToken)
    {
        var rebuilders = new Dictionary<int, FileRebuilder>();
        var finished = new HashSet<int>();
        var failed = new HashSet<int>();
        try
        {
            while (finished.Count < targets.Count)
            {
                JSyncMessage message = await _channel.ReceiveAsync(cancellationToken);
                int id = message switch
                {
                    FilePlan p => p.FileId,
                    LiteralChunk l => l.FileId,
                    FileEnd e => e.FileId,
                    FileError e => e.FileId,
                    SyncError e => throw new JSyncRemoteException(e.Message),
                    _ => throw new JSyncProtocolException($"The taker did not expect a {message.GetType().Name} while receiving files."),
                };
                if (id < 0 || id >= targets.Count || finished.Contains(id))
                {
                    throw new JSyncProtocolException($"The giver sent data for file id {id}, which is not an open request.");
                }
                FileTarget target = targets[id];
                if (message is FileError fileError)
                {
                    _result.Errors.Add($"{target.Entry.Path}: {fileError.Message}");
                    finished.Add(id);
                    if (rebuilders.Remove(id, out FileRebuilder? abandoned))
                    {
                        abandoned.Dispose(); // keep what arrived as a partial for the next run
                    }
                    continue;
                }
                if (failed.Contains(id))
                {
                    if (message is FileEnd)
                    {
                        finished.Add(id);
                    }
                    continue;
                }
                try
                {
                    if (!rebuilders.TryGetValue(id, out FileRebuilder? rebuilder))
                    {
                        rebuilder = new FileRebuilder(target.Entry.Path, target.TargetPath, target.TempPath, sources, _result);
                        rebuilders[id] = rebuilder;
                    }
                    switch (message)
                    {
                        case FilePlan plan:
                            rebuilder.AddSteps(plan.Steps);
                            break;
                        case LiteralChunk literal:
                            rebuilder.AddLiteral(literal.Data);
                            break;
                        case FileEnd end:
                            rebuilders.Remove(id);
                            finished.Add(id);
                            using (rebuilder)
                            {
                                commits.Add(rebuilder.Finish(end, fsync: !FileMetadata.CanSyncFileSystem));
                            }
                            _result.FilesTransferred++;
                            break;
                    }
                }
                catch (Exception ex) when (ex is JSyncVerificationException or IOException or UnauthorizedAccessException)
                {
                    _result.Errors.Add($"{target.Entry.Path}: {ex.Message}");
                    if (rebuilders.Remove(id, out FileRebuilder? broken))
                    {
                        broken.Dispose();
                    }
                    if (message is not FileEnd)
                    {
                        failed.Add(id);
                    }
                }
            }
        }
        finally
        {
            foreach (FileRebuilder open in rebuilders.Values)
            {
                open.Dispose(); // interrupted: what arrived stays as a partial for the next run
            }
        }
    }
}
