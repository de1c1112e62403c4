using System.Buffers;
using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Rebuilds one file on the taker from plan steps: copies chunks it holds, writes literals as they arrive, and skips
/// zero runs so they stay holes. Writes only to a temp file beside the target; every byte goes through a running BLAKE3
/// that must equal the giver's. The target is never opened for writing.
/// </summary>
internal sealed class FileRebuilder : IDisposable
{
    private readonly string _relativePath;
    private readonly string _targetPath;
    private readonly string _tempPath;
    private readonly ChunkSourceReader _sources;
    private readonly SyncResult _stats;
    private readonly Queue<PlanStep> _pending = new();
    private readonly FileHasher _hasher = new();
    private FileStream? _out;
    private long _position;

    /// <summary>Creates the temp file (which must not exist yet).</summary>
    public FileRebuilder(string relativePath, string targetPath, string tempPath, ChunkSourceReader sources, SyncResult stats)
    {
        _relativePath = relativePath;
        _targetPath = targetPath;
        _tempPath = tempPath;
        _sources = sources;
        _stats = stats;
        _out = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1);
    }

    /// <summary>Full path of the temp file.</summary>
    public string TempPath => _tempPath;

    /// <summary>Queues steps and applies every copy and zero step up to the next literal.</summary>
    public void AddSteps(PlanStep[] steps)
    {
        foreach (PlanStep step in steps)
        {
            if (step.Length < 0 || (step.Kind != StepKind.Zero && step.Length > ChunkerLimits.MaxChunk))
            {
                throw new JSyncProtocolException($"A plan step for '{_relativePath}' has an impossible length {step.Length}.");
            }
            _pending.Enqueue(step);
        }
        Drain();
    }

    /// <summary>Writes the bytes of the literal step at the head of the queue.</summary>
    public void AddLiteral(byte[] data)
    {
        if (!_pending.TryPeek(out PlanStep head) || head.Kind != StepKind.Literal)
        {
            throw new JSyncProtocolException($"Literal bytes for '{_relativePath}' arrived where the plan has no literal step.");
        }
        if (head.Length != data.Length)
        {
            throw new JSyncProtocolException($"A literal for '{_relativePath}' has {data.Length} bytes; its step says {head.Length}.");
        }
        _pending.Dequeue();
        Write(data);
        if (head.Hash != default)
        {
            _sources.Index.Add(head.Hash, new ChunkLocation(_tempPath, _position - data.Length, data.Length));
        }
        _stats.LiteralBytes += data.Length;
        Drain();
    }

    private void Drain()
    {
        while (_pending.TryPeek(out PlanStep step) && step.Kind != StepKind.Literal)
        {
            _pending.Dequeue();
            if (step.Kind == StepKind.Zero)
            {
                _hasher.UpdateZeros(step.Length);
                _position += step.Length;
                _stats.ZeroBytes += step.Length;
                continue;
            }
            int length = (int)step.Length;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                _sources.Read(step.Hash, buffer.AsSpan(0, length));
                Write(buffer.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _stats.CopiedBytes += length;
        }
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        FileStream output = _out ?? throw new ObjectDisposedException(nameof(FileRebuilder));
        RandomAccess.Write(output.SafeFileHandle, data, _position);
        _hasher.Update(data);
        _position += data.Length;
    }

    /// <summary>
    /// Checks size and digest against <paramref name="end"/>, sets length (trailing holes), mode and mtime, and closes
    /// the temp file, fsyncing it when <paramref name="fsync"/> (else the commit makes it durable with one syncfs). On a
    /// mismatch the temp file is deleted and <see cref="JSyncVerificationException"/> thrown.
    /// </summary>
    public PendingCommit Finish(FileEnd end, bool fsync)
    {
        FileStream output = _out ?? throw new ObjectDisposedException(nameof(FileRebuilder));
        if (_pending.Count > 0)
        {
            throw new JSyncProtocolException($"'{_relativePath}' ended with {_pending.Count} plan steps still unfilled.");
        }
        ChunkHash hash = _hasher.Finish();
        if (_position != end.Size || hash != end.FileHash)
        {
            Discard();
            throw new JSyncVerificationException(_relativePath,
                _position != end.Size ? $"rebuilt {_position} bytes, expected {end.Size}" : $"BLAKE3 {hash}, expected {end.FileHash}");
        }
        output.SetLength(end.Size);
        FileMetadata.WriteMode(_tempPath, end.Mode);
        FileMetadata.WriteMtimeNs(_tempPath, end.MtimeNs, isSymlink: false);
        if (fsync)
        {
            output.Flush(flushToDisk: true);
        }
        output.Dispose();
        _out = null;
        return new PendingCommit(_relativePath, _tempPath, _targetPath);
    }

    /// <summary>Closes and deletes the temp file (its contents are wrong).</summary>
    public void Discard()
    {
        Dispose();
        File.Delete(_tempPath);
    }

    /// <summary>Closes the temp file and keeps it as a partial for the next run.</summary>
    public void Dispose()
    {
        _out?.Dispose();
        _out = null;
        _hasher.Dispose();
    }
}
