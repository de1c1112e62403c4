using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Safety;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// The giver's side of a sync: lists its tree, indexes the taker's summaries, and answers each file request with a
/// plan and only the literal bytes the taker lacks, chunking and hashing the file in one streaming pass.
/// </summary>
internal sealed class SyncGiver : SyncEndpoint
{
    private const int ListingBatch = 1000;
    private const int MaxStepsPerPlan = 1024;
    private const int MaxLiteralBytesPerPlan = 1024 * 1024;

    private readonly HashSet<string> _listedFiles = new(StringComparer.Ordinal);
    private bool _takerHasChunks;

    public SyncGiver(IJSyncChannel channel, string root, SyncOptions options)
        : base(channel, root, options)
    {
    }

    protected override async Task<SyncResult> RunCoreAsync(CancellationToken cancellationToken)
    {
        ScanResult scan = ScanLocal();
        if (scan.Entries.Count == 0)
        {
            throw new JSyncException($"There is nothing to send: '{Root}' does not exist. Check the source path.");
        }
        for (int i = 0; i < scan.Entries.Count; i += ListingBatch)
        {
            TreeEntry[] batch = [.. scan.Entries.Skip(i).Take(ListingBatch)];
            foreach (TreeEntry e in batch)
            {
                if (e.Kind == EntryKind.File)
                {
                    _listedFiles.Add(e.Path);
                }
            }
            bool last = i + ListingBatch >= scan.Entries.Count;
            await Channel.SendAsync(new TreeListing { Entries = batch, IsLast = last }, cancellationToken);
        }
        var index = new ChunkIndex();
        var received = new List<SyncChange>();
        while (true)
        {
            JSyncMessage message = await Channel.ReceiveAsync(cancellationToken);
            switch (message)
            {
                case FileSummary summary:
                    _takerHasChunks = true;
                    index.Add(summary.Path, summary.Chunks);
                    break;
                case FileRequestBatch requests:
                    foreach (FileRequest request in requests.Requests)
                    {
                        await SendFileAsync(request, index, cancellationToken);
                    }
                    break;
                case ChangeList changes:
                    received.AddRange(changes.Changes);
                    break;
                case SyncComplete complete:
                    complete.Result.Changes.AddRange(received);
                    return complete.Result;
                case SyncError error:
                    throw new JSyncRemoteException(error.Message);
                default:
                    throw new JSyncProtocolException($"The giver did not expect a {message.GetType().Name} here.");
            }
        }
    }

    private async Task SendFileAsync(FileRequest request, ChunkIndex index, CancellationToken cancellationToken)
    {
        if (!_listedFiles.Contains(request.Path))
        {
            await SendErrorAsync(request, $"'{request.Path}' is not a file this side listed; it was not sent.", cancellationToken);
            return;
        }
        FileStream stream;
        int mode;
        long mtime;
        try
        {
            string full = SafePath.Resolve(Root, request.Path);
            var info = new FileInfo(full);
            mode = FileMetadata.ReadMode(info);
            mtime = FileMetadata.ReadMtimeNs(info); // read before the contents: a later change is seen next run
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PathEscapeException)
        {
            await SendErrorAsync(request, $"'{request.Path}' could not be opened: {ex.Message}", cancellationToken);
            return;
        }
        await using (stream)
        {
            var builder = new PlanBuilder(index);
            var literals = new List<byte[]>();
            long literalBytes = 0;
            // A taker that offered no chunks at all (a copy into an empty place) can match nothing: send plain
            // blocks and skip the cut search and the chunk hashes. A resumed run offers its partials, so it chunks.
            using var chunker = new StreamChunker(stream, Chunker, fixedBlocks: !_takerHasChunks);
            while (true)
            {
                bool more;
                try
                {
                    more = await chunker.MoveNextAsync(cancellationToken);
                }
                catch (IOException ex)
                {
                    await SendErrorAsync(request, $"'{request.Path}' could not be read: {ex.Message}", cancellationToken);
                    return;
                }
                if (!more)
                {
                    break;
                }
                if (builder.Add(chunker.Current))
                {
                    literals.Add(chunker.CurrentData.ToArray());
                    literalBytes += chunker.Current.Length;
                }
                if (builder.PendingSteps >= MaxStepsPerPlan || literalBytes >= MaxLiteralBytesPerPlan)
                {
                    await FlushAsync(request.FileId, builder, literals, final: false, cancellationToken);
                    literalBytes = 0;
                }
            }
            await FlushAsync(request.FileId, builder, literals, final: true, cancellationToken);
            await Channel.SendAsync(new FileEnd
            {
                FileId = request.FileId,
                Size = chunker.Length,
                FileHash = chunker.FileHash,
                Mode = mode,
                MtimeNs = mtime,
            }, cancellationToken);
        }
    }

    private async Task FlushAsync(int fileId, PlanBuilder builder, List<byte[]> literals, bool final, CancellationToken cancellationToken)
    {
        PlanStep[] steps = builder.Take(final);
        if (steps.Length > 0)
        {
            await Channel.SendAsync(new FilePlan { FileId = fileId, Steps = steps }, cancellationToken);
        }
        foreach (byte[] data in literals)
        {
            await Channel.SendAsync(new LiteralChunk { FileId = fileId, Data = data }, cancellationToken);
        }
        literals.Clear();
    }

    private ValueTask SendErrorAsync(FileRequest request, string message, CancellationToken cancellationToken) =>
        Channel.SendAsync(new FileError { FileId = request.FileId, Message = message }, cancellationToken);
}
