using System.Buffers;
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
    // Plans stay under the runtime's large-object threshold (85,000 bytes) unless one chunk is larger: a 64 KiB block
    // per message costs one small frame header, and larger messages would each be a large-object allocation on both
    // sides (a full copy of 1 GB ran several times slower with 1 MiB plans).
    private const int MaxLiteralBytesPerPlan = 64 * 1024;

    private const long SmallFile = 1024 * 1024;

    private readonly Dictionary<string, TreeEntry> _listedFiles = new(StringComparer.Ordinal); // path → its listing entry
    private readonly ArrayBufferWriter<byte> _literals = new(MaxLiteralBytesPerPlan);
    private bool _takerHasChunks;

    public SyncGiver(IJSyncChannel channel, string root, SyncOptions options, IProgress<SyncProgress>? progress = null)
        : base(channel, root, options, progress)
    {
    }

    protected override async Task<SyncResult> RunCoreAsync(CancellationToken cancellationToken)
    {
        ScanResult scan = ScanLocal();
        if (scan.Entries.Count == 0)
        {
            throw new JSyncException($"There is nothing to send: '{Root}' does not exist. Check the source path.");
        }
        if (!Options.Recursive && scan.Entries[0].Kind == EntryKind.Directory)
        {
            throw new JSyncException("The source is a directory and the sync is not recursive; pass -r to sync a tree.");
        }
        for (int i = 0; i < scan.Entries.Count; i += ListingBatch)
        {
            TreeEntry[] batch = [.. scan.Entries.Skip(i).Take(ListingBatch)];
            foreach (TreeEntry e in batch)
            {
                if (e.Kind == EntryKind.File)
                {
                    _listedFiles[e.Path] = e;
                }
            }
            bool last = i + ListingBatch >= scan.Entries.Count;
            await Channel.SendAsync(new TreeListing { Entries = batch, IsLast = last }, cancellationToken);
        }
        var index = new ChunkIndex();
        var received = new List<SyncChange>();
        int summaries = 0;
        bool summaryOpen = false;
        while (true)
        {
            JSyncMessage message = await Channel.ReceiveAsync(cancellationToken);
            switch (message)
            {
                case FileSummary summary:
                    // Sources are numbered by file, in the order their summaries arrive (see PlanStep.Source).
                    if (!summaryOpen)
                    {
                        summaries++;
                    }
                    summaryOpen = !summary.IsLast;
                    _takerHasChunks = true;
                    index.Add(summaries - 1, summary.Chunks);
                    break;
                case FileRequestBatch requests:
                    Progress.AddTotal(requests.Requests.Length, requests.Requests.Sum(r => _listedFiles.GetValueOrDefault(r.Path)?.Size ?? 0));
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
        if (!_listedFiles.TryGetValue(request.Path, out TreeEntry? listed))
        {
            await SendErrorAsync(request, $"'{request.Path}' is not a file this side listed; it was not sent.", cancellationToken);
            return;
        }
        // Mode and mtime as the scan read them, before the contents (no second stat per file): a change after the
        // scan leaves an older mtime on the copy, so the next run sees the file differ and sends it again.
        int mode = listed.Mode;
        long mtime = listed.MtimeNs;
        FileStream stream;
        try
        {
            string full = SafePath.Resolve(Root, request.Path);
            // Read-ahead advice only pays for files larger than the first read (one syscall saved per small file).
            FileOptions advice = listed.Size > SmallFile ? FileOptions.SequentialScan : FileOptions.None;
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, advice);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PathEscapeException)
        {
            await SendErrorAsync(request, $"'{request.Path}' could not be opened: {ex.Message}", cancellationToken);
            return;
        }
        await using (stream)
        {
            var builder = new PlanBuilder(index, PlanStep.FileSource(request.FileId), reuse: !request.NoReuse);
            _literals.Clear();
            // A taker that offered no chunks at all (a copy into an empty place) can match nothing, and a retry must
            // not reuse any: send plain blocks and skip the cut search and the chunk hashes. A resumed run offers its
            // partials, so it chunks.
            bool plain = !_takerHasChunks || request.NoReuse;
            using var chunker = new StreamChunker(stream, plain ? Chunker : Options.ChunkerFor(stream.Length), fixedBlocks: plain);
            while (true)
            {
                bool more;
                try
                {
                    // Local reads are synchronous on purpose: on Linux an "async" read of a regular file is the same
                    // read on a pool thread plus two thread switches, and staying on the caller's scheduler keeps the
                    // engine deterministic under SimNet. The sends between reads observe the token.
                    more = chunker.MoveNext();
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
                if (plain && !chunker.Current.IsZero && chunker.Current.Length == Chunker.MaxSize &&
                    builder.PendingSteps == 0 && _literals.WrittenCount == 0)
                {
                    // A whole plain block is a plan of its own, sent straight from the chunker's buffer (a full copy
                    // then copies each byte once less); a file's last, shorter block still carries its end.
                    builder.Add(chunker.Current);
                    await SendPlanAsync(request.FileId, builder, end: null, cancellationToken, chunker.CurrentData);
                    continue;
                }
                if (builder.PendingSteps >= MaxStepsPerPlan ||
                    (_literals.WrittenCount > 0 && _literals.WrittenCount + chunker.Current.Length > MaxLiteralBytesPerPlan))
                {
                    await SendPlanAsync(request.FileId, builder, end: null, cancellationToken);
                }
                if (builder.Add(chunker.Current))
                {
                    _literals.Write(chunker.CurrentData.Span);
                }
            }
            await SendPlanAsync(request.FileId, builder, new FileEnd
            {
                FileId = request.FileId,
                Size = chunker.Length,
                FileHash = chunker.FileHash,
                Mode = mode,
                MtimeNs = mtime,
            }, cancellationToken);
        }
    }

    /// <summary>Sends the steps decided so far with their literal bytes — the staged ones, or
    /// <paramref name="data"/> when given — and the file's end on the last batch.</summary>
    private async Task SendPlanAsync(int fileId, PlanBuilder builder, FileEnd? end, CancellationToken cancellationToken,
        ReadOnlyMemory<byte>? data = null)
    {
        // The channel encodes the message before SendAsync returns, so the literal buffer can be reused after it.
        PlanStep[] steps = builder.Take(final: end is not null);
        await Channel.SendAsync(new FilePlan { FileId = fileId, Steps = steps, Data = data ?? _literals.WrittenMemory, End = end },
            cancellationToken);
        _literals.Clear();
        Progress.AddDone(steps.Sum(s => s.Length), fileDone: end is not null);
    }

    private async Task SendErrorAsync(FileRequest request, string message, CancellationToken cancellationToken)
    {
        await Channel.SendAsync(new FileError { FileId = request.FileId, Message = message }, cancellationToken);
        Progress.AddDone(0, fileDone: true);
    }
}
