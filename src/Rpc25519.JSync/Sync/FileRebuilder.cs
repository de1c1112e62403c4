using System.Buffers;
using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Native;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Rebuilds one file on the taker from plan steps: copies byte ranges it holds, writes literals as they arrive, and
/// skips zero runs so they stay holes. Writes only to a temp file beside the target; every byte goes through a running BLAKE3
/// that must equal the giver's. The target is never opened for writing.
/// </summary>
internal sealed class FileRebuilder : IDisposable
{
    private readonly string _relativePath;
    private readonly string _targetPath;
    private readonly string _tempPath;
    private readonly ChunkSourceReader _sources;
    private readonly SyncResult _stats;
    private const int CopyBlock = 1024 * 1024;
    private readonly FileHasher _hasher = new();
    private FileStream? _out;
    private long _position;
    private long _written; // end of the last byte written: the file's length so far (zero runs are not written)
    private readonly bool _startWriteback;
    private long _writebackStartedAt;
    private const long WritebackEvery = 8 * 1024 * 1024;

    /// <summary>Creates the temp file (which must not exist yet).</summary>
    /// <param name="relativePath">The file's path in the tree (for messages).</param>
    /// <param name="targetPath">Where the file goes at the commit.</param>
    /// <param name="tempPath">The temp file to write.</param>
    /// <param name="sources">The files copies read from.</param>
    /// <param name="stats">Counters.</param>
    /// <param name="startWriteback">Start writing the data to disk as it is written (every 8 MiB and at the end),
    /// without waiting: a durable commit's syncfs then finds little left to write.</param>
    public FileRebuilder(string relativePath, string targetPath, string tempPath, ChunkSourceReader sources, SyncResult stats,
        bool startWriteback = false)
    {
        _startWriteback = startWriteback;
        _relativePath = relativePath;
        _targetPath = targetPath;
        _tempPath = tempPath;
        _sources = sources;
        _stats = stats;
        _out = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1);
    }

    /// <summary>Full path of the temp file.</summary>
    public string TempPath => _tempPath;

    /// <summary>True once a step copied bytes from a source (so a failed check may be a stale source or a false
    /// hash match, and a retry without reuse can succeed).</summary>
    public bool UsedCopies { get; private set; }

    /// <summary>Applies a batch of steps: copies, literal bytes from <paramref name="data"/> (which they must use up
    /// exactly) and zero runs.</summary>
    public void Apply(PlanStep[] steps, ReadOnlySpan<byte> data)
    {
        int used = 0;
        foreach (PlanStep step in steps)
        {
            if (step.Length < 0)
            {
                throw new JSyncProtocolException($"A plan step for '{_relativePath}' has a negative length {step.Length}.");
            }
            switch (step.Kind)
            {
                case StepKind.Zero:
                    _hasher.UpdateZeros(step.Length);
                    _position = checked(_position + step.Length);
                    _stats.ZeroBytes += step.Length;
                    break;
                case StepKind.Literal:
                    if (step.Length > data.Length - used)
                    {
                        throw new JSyncProtocolException(
                            $"A plan for '{_relativePath}' has literal steps for more bytes than it carries ({data.Length}).");
                    }
                    Write(data.Slice(used, (int)step.Length));
                    used += (int)step.Length;
                    _stats.LiteralBytes += step.Length;
                    break;
                default:
                    Copy(step);
                    break;
            }
        }
        if (used != data.Length)
        {
            throw new JSyncProtocolException(
                $"A plan for '{_relativePath}' carries {data.Length - used} literal bytes that no literal step uses.");
        }
    }

    private void Copy(PlanStep step)
    {
        UsedCopies = true;
        _ = checked(step.Offset + step.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(step.Length, CopyBlock));
        try
        {
            for (long done = 0; done < step.Length;)
            {
                int n = (int)Math.Min(buffer.Length, step.Length - done);
                _sources.Read(step.Source, step.Offset + done, buffer.AsSpan(0, n));
                Write(buffer.AsSpan(0, n));
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _stats.CopiedBytes += step.Length;
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        FileStream output = _out ?? throw new ObjectDisposedException(nameof(FileRebuilder));
        RandomAccess.Write(output.SafeFileHandle, data, _position);
        _hasher.Update(data);
        _position += data.Length;
        if (data.Length > 0)
        {
            _written = _position;
        }
        if (_startWriteback && _position - _writebackStartedAt >= WritebackEvery)
        {
            PosixFile.TryStartWriteback(output.SafeFileHandle);
            _writebackStartedAt = _position;
        }
    }

    /// <summary>
    /// Checks size and digest against <paramref name="end"/>, sets length (trailing holes), mode and mtime, and closes
    /// the temp file, fsyncing it when <paramref name="fsync"/> (else the commit makes it durable with one syncfs, and
    /// with write-back on, its last pages start going to disk now). On a mismatch the temp file is deleted and
    /// <see cref="JSyncVerificationException"/> thrown.
    /// </summary>
    public PendingCommit Finish(FileEnd end, bool fsync)
    {
        FileStream output = _out ?? throw new ObjectDisposedException(nameof(FileRebuilder));
        ChunkHash hash = _hasher.Finish();
        if (_position != end.Size || hash != end.FileHash)
        {
            Discard();
            throw new JSyncVerificationException(_relativePath,
                _position != end.Size ? $"rebuilt {_position} bytes, expected {end.Size}" : $"BLAKE3 {hash}, expected {end.FileHash}");
        }
        if (_written != end.Size)
        {
            output.SetLength(end.Size); // a trailing run of zeros was skipped: the hole at the end needs the length
        }
        // Through the handle (no path lookups), and after the last write, which would move the mtime again.
        FileMetadata.WriteModeAndMtime(output.SafeFileHandle, _tempPath, end.Mode, end.MtimeNs);
        if (fsync)
        {
            output.Flush(flushToDisk: true);
        }
        else if (_startWriteback)
        {
            // The commit's syncfs will wait for this data: start writing it now, while the other files arrive.
            PosixFile.TryStartWriteback(output.SafeFileHandle);
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
