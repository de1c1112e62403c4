namespace Rpc25519.JSync.Sync;

/// <summary>
/// How far a sync's file transfer is, as this side sees it: files and bytes of file contents done out of the total.
/// The taker knows the totals before the first byte; the giver learns them as the taker's requests arrive (they come
/// all at once, ahead of the data), so early reports on a giver may show growing totals.
/// </summary>
/// <param name="FilesDone">Files whose contents were rebuilt (taker) or sent (giver).</param>
/// <param name="FilesTotal">Files to transfer known so far.</param>
/// <param name="BytesDone">Bytes of file contents produced so far, however they were made: literal, copied or zero.</param>
/// <param name="BytesTotal">Total size of the files to transfer known so far.</param>
public readonly record struct SyncProgress(long FilesDone, long FilesTotal, long BytesDone, long BytesTotal);

/// <summary>Counts progress and reports it after every change (no clock: the consumer decides how often to show it).</summary>
internal sealed class ProgressCounter(IProgress<SyncProgress>? sink)
{
    private long _filesDone, _filesTotal, _bytesDone, _bytesTotal;

    public void AddTotal(long files, long bytes)
    {
        _filesTotal += files;
        _bytesTotal += bytes;
        Report();
    }

    public void AddDone(long bytes, bool fileDone)
    {
        _bytesDone += bytes;
        _filesDone += fileDone ? 1 : 0;
        Report();
    }

    private void Report() => sink?.Report(new SyncProgress(_filesDone, _filesTotal, _bytesDone, _bytesTotal));
}
