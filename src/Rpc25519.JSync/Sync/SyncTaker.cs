using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Safety;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// The taker's side of a sync: reads the giver's listing, compares it with its own tree, builds the structure,
/// summarizes the files whose chunks may be reused, requests every file it needs at once, rebuilds each into a temp
/// file, and at the end renames them all into place, deletes (only with --delete) and fixes directory metadata.
/// </summary>
internal sealed class SyncTaker : SyncEndpoint
{
    private const int SummaryBatch = 4096;
    private const int RequestBatch = 256;
    private const int ChangeBatch = 1000;

    private readonly SyncResult _result = new();

    public SyncTaker(IJSyncChannel channel, string root, SyncOptions options, IProgress<SyncProgress>? progress = null)
        : base(channel, root, options, progress)
    {
    }

    protected override async Task<SyncResult> RunCoreAsync(CancellationToken cancellationToken)
    {
        // Scan before reading the listing: the giver scans its tree at the same moment, so the two scans overlap
        // (the listing waits in the channel meanwhile) instead of running one after the other.
        ScanResult scan = ScanLocal();
        List<TreeEntry> giver = await ReceiveListingAsync(cancellationToken);
        RefuseRootKindChange(giver, scan.Entries);
        TreeDiff diff = TreeDiff.Compute(giver, scan.Entries, Options);
        _result.Changes.AddRange(diff.Changes);
        _result.Errors.AddRange(diff.Errors);
        _result.DryRun = Options.DryRun;
        if (!Options.DryRun)
        {
            var applier = new TreeApplier(Root, _result.Errors);
            applier.ApplyStructure(diff);
            List<FileTarget> targets = PrepareTargets(diff, scan);
            if (targets.Count > 0)
            {
                await TransferAsync(diff, targets, applier, cancellationToken);
            }
            applier.RemoveStalePartials(scan, targets);
            applier.ApplyDeletes(diff);
            applier.ApplyDirectoryMetadata(diff);
        }
        await SendResultAsync(cancellationToken);
        return _result;
    }

    /// <summary>A sync never replaces the root itself with another kind: a file into a directory would wipe it.</summary>
    private void RefuseRootKindChange(List<TreeEntry> giver, IReadOnlyList<TreeEntry> taker)
    {
        if (giver.Count > 0 && taker.Count > 0 && giver[0].Path.Length == 0 && taker[0].Path.Length == 0 && giver[0].Kind != taker[0].Kind)
        {
            throw new JSyncException(
                $"The destination '{Root}' is a {taker[0].Kind.ToString().ToLowerInvariant()} and the source a " +
                $"{giver[0].Kind.ToString().ToLowerInvariant()}; nothing was changed. Name a destination of the same kind " +
                "(for a file into a directory, give the file's path inside it).");
        }
    }

    private async Task SendResultAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < _result.Changes.Count; i += ChangeBatch)
        {
            SyncChange[] batch = [.. _result.Changes.Skip(i).Take(ChangeBatch)];
            await Channel.SendAsync(new ChangeList { Changes = batch }, cancellationToken);
        }
        await Channel.SendAsync(new SyncComplete { Result = _result.WithoutChanges() }, cancellationToken);
    }

    private async Task<List<TreeEntry>> ReceiveListingAsync(CancellationToken cancellationToken)
    {
        var entries = new List<TreeEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            JSyncMessage message = await Channel.ReceiveAsync(cancellationToken);
            if (message is SyncError error)
            {
                throw new JSyncRemoteException(error.Message);
            }
            if (message is not TreeListing listing)
            {
                throw new JSyncProtocolException($"The taker expected the giver's listing, not a {message.GetType().Name}.");
            }
            foreach (TreeEntry e in listing.Entries)
            {
                SafePath.Validate(e.Path);
                if (!seen.Add(e.Path))
                {
                    throw new JSyncProtocolException($"The giver listed '{e.Path}' twice.");
                }
                if (e.Path.Length > 0 && !seen.Contains(SafePath.Parent(e.Path)))
                {
                    throw new JSyncProtocolException($"The giver listed '{e.Path}' before its directory.");
                }
                entries.Add(e);
                _result.EntriesScanned++;
                _result.TreeBytes += e.Kind == EntryKind.File ? e.Size : 0;
            }
            if (listing.IsLast)
            {
                return entries;
            }
        }
    }

    private string Full(string relative) => SafePath.Resolve(Root, relative);

    private List<FileTarget> PrepareTargets(TreeDiff diff, ScanResult scan)
    {
        var targets = new List<FileTarget>(diff.FilesToFetch.Count);
        foreach (TreeEntry entry in diff.FilesToFetch)
        {
            string target = Full(entry.Path);
            string directory = Path.GetDirectoryName(target) ?? ".";
            string name = Path.GetFileName(target);
            var partialPaths = new List<string>();
            if (entry.Path.Length == 0)
            {
                // A file root: its partials live beside it, outside the scanned tree.
                Directory.CreateDirectory(directory);
                partialPaths.AddRange(Directory.GetFiles(directory, ".*.jsync-part")
                    .Where(p => PartialFiles.TryParse(Path.GetFileName(p), out string of, out _) && of == name)
                    .Order(StringComparer.Ordinal));
            }
            else if (scan.Partials.TryGetValue(entry.Path, out IReadOnlyList<string>? found))
            {
                partialPaths.AddRange(found.Select(Full));
            }
            int next = 1;
            foreach (string full in partialPaths)
            {
                if (PartialFiles.TryParse(Path.GetFileName(full), out _, out int n))
                {
                    next = Math.Max(next, n + 1);
                }
            }
            string temp = Path.Join(directory, PartialFiles.Name(name, next));
            targets.Add(new FileTarget(targets.Count, entry, target, temp, partialPaths));
        }
        return targets;
    }

    private async Task TransferAsync(TreeDiff diff, List<FileTarget> targets, TreeApplier applier, CancellationToken cancellationToken)
    {
        using var sources = new ChunkSourceReader(targets);
        var commits = new List<PendingCommit>();
        var receiver = new FileReceiver(Channel, _result, Progress, Options.Durable);
        Progress.AddTotal(targets.Count, targets.Sum(t => t.Entry.Size));
        // The send loop registers summarized sources while the receive loop reads from them (ChunkSourceReader is
        // safe for that). A plan only names sources summarized before its request was sent.
        using var sendCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task send = SendSummariesAndRequestsAsync(diff, targets, sources, sendCancel.Token);
        List<FileTarget> retry;
        try
        {
            retry = await receiver.ReceiveAsync(targets, sources, commits, allowRetry: true, cancellationToken);
        }
        catch (Exception)
        {
            await sendCancel.CancelAsync();
            try
            {
                await send;
            }
            catch (Exception)
            {
                // The receive failure is the one to report.
            }
            throw;
        }
        await send;
        if (retry.Count > 0)
        {
            // Rebuilds that reused chunks and failed their whole-file check: fetch them once more, every byte literal.
            for (int i = 0; i < retry.Count; i += RequestBatch)
            {
                FileRequest[] batch = [.. retry.Skip(i).Take(RequestBatch)
                    .Select(t => new FileRequest { FileId = t.Id, Path = t.Entry.Path, NoReuse = true })];
                await Channel.SendAsync(new FileRequestBatch { Requests = batch, IsLast = i + RequestBatch >= retry.Count }, cancellationToken);
            }
            Progress.AddTotal(retry.Count, retry.Sum(t => t.Entry.Size));
            await receiver.ReceiveAsync(retry, sources, commits, allowRetry: false, cancellationToken);
        }
        sources.Dispose();
        applier.Commit(diff, commits, Options.Durable);
    }

    /// <summary>
    /// Sends what the giver needs, pipelined so the giver starts planning while this side still chunks: first the
    /// summaries of files the giver no longer has (rename and move sources, reusable by any file), then, file by file,
    /// the summary of a file's old version and partials followed at once by its request. Files with nothing to summarize
    /// are requested in batches. A file can reuse chunks of everything summarized before its request. A file's old
    /// version and partials are chunked with the sizes of the giver's file (<see cref="SyncOptions.ChunkerFor"/>), so
    /// both sides cut alike; a rename source with its own size (a moved file keeps its size).
    /// </summary>
    private async Task SendSummariesAndRequestsAsync(TreeDiff diff, List<FileTarget> targets, ChunkSourceReader sources, CancellationToken cancellationToken)
    {
        try
        {
            await SendSummariesAndRequestsCoreAsync(diff, targets, sources, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not JSyncException)
        {
            // A local failure here (an old file that cannot be read to its end) would leave the receive loop waiting
            // for files never requested: stop the conversation, so both sides fail with the reason.
            Channel.Abort(ex.Message);
            throw;
        }
    }

    private async Task SendSummariesAndRequestsCoreAsync(TreeDiff diff, List<FileTarget> targets, ChunkSourceReader sources, CancellationToken cancellationToken)
    {
        var summarized = new HashSet<string>(StringComparer.Ordinal);
        var targetPaths = new HashSet<string>(targets.Select(t => t.Entry.Path), StringComparer.Ordinal);
        foreach (TreeEntry source in diff.Sources.Where(s => !targetPaths.Contains(s.Path)))
        {
            await SummarizeAsync(source.Path, Full(source.Path), source.Size, sources, summarized, cancellationToken);
        }
        var oldVersions = new HashSet<string>(diff.Sources.Select(s => s.Path).Where(targetPaths.Contains), StringComparer.Ordinal);
        var pending = new List<FileRequest>();
        foreach (FileTarget target in targets)
        {
            bool hasSources = oldVersions.Contains(target.Entry.Path) || target.Partials.Count > 0;
            if (hasSources)
            {
                if (oldVersions.Contains(target.Entry.Path))
                {
                    await SummarizeAsync(target.Entry.Path, target.TargetPath, target.Entry.Size, sources, summarized, cancellationToken);
                }
                foreach (string partial in target.Partials)
                {
                    await SummarizeAsync(Path.GetRelativePath(Root, partial).Replace('\\', '/'), partial, target.Entry.Size, sources,
                        summarized, cancellationToken);
                }
            }
            pending.Add(new FileRequest { FileId = target.Id, Path = target.Entry.Path });
            if (hasSources || pending.Count == RequestBatch)
            {
                await SendRequestsAsync(pending, last: target.Id == targets.Count - 1, cancellationToken);
            }
        }
        if (pending.Count > 0)
        {
            await SendRequestsAsync(pending, last: true, cancellationToken);
        }
    }

    private async Task SendRequestsAsync(List<FileRequest> pending, bool last, CancellationToken cancellationToken)
    {
        await Channel.SendAsync(new FileRequestBatch { Requests = [.. pending], IsLast = last }, cancellationToken);
        pending.Clear();
    }

    private async Task SummarizeAsync(string relative, string full, long sizeForChunking, ChunkSourceReader sources,
        HashSet<string> done, CancellationToken cancellationToken)
    {
        if (!done.Add(full))
        {
            return;
        }
        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return; // an unreadable old file only means its chunks are not reused
        }
        await using (stream)
        {
            sources.AddSummary(full); // numbered before the giver can name it
            using var chunker = new StreamChunker(stream, Options.ChunkerFor(sizeForChunking));
            var batch = new List<ChunkRecord>();
            while (chunker.MoveNext()) // synchronous local reads, as in SyncGiver.SendFileAsync
            {
                ChunkInfo c = chunker.Current;
                if (c.IsZero)
                {
                    continue;
                }
                batch.Add(new ChunkRecord(c.Offset, c.Length, c.Hash));
                if (batch.Count == SummaryBatch)
                {
                    await SendSummaryAsync(relative, chunker.Length, batch, last: false, cancellationToken);
                }
            }
            await SendSummaryAsync(relative, chunker.Length, batch, last: true, cancellationToken);
        }
    }

    private async Task SendSummaryAsync(string relative, long size, List<ChunkRecord> batch, bool last, CancellationToken cancellationToken)
    {
        _result.SummaryChunks += batch.Count;
        await Channel.SendAsync(new FileSummary { Path = relative, Size = size, Chunks = [.. batch], IsLast = last }, cancellationToken);
        batch.Clear();
    }
}
