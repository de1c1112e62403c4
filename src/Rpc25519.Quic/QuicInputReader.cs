using System.Buffers;
using System.IO.Pipelines;

namespace Rpc25519.Transport.Quic;

/// <summary>The input pipe's reader as the session layer sees it: gives the peer flow-control credit for what the
/// session has examined. Credit for examined (not only consumed) bytes lets a frame larger than the window arrive
/// whole, as over TCP; the session's own frame limit (<see cref="RpcOptions.MaxFrameBytes"/>) bounds what it holds,
/// and data it has not yet looked at never exceeds the window.</summary>
/// <remarks>Used by the one reader of the connection, like any <see cref="PipeReader"/>.</remarks>
internal sealed class QuicInputReader(PipeReader inner, QuicConnection connection) : PipeReader
{
    private ReadOnlySequence<byte> _last;
    /// <summary>Stream offset of the start of <see cref="_last"/> (everything before it was consumed).</summary>
    private long _start;
    /// <summary>Stream offset up to which the peer has been given credit.</summary>
    private long _credited;

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        long examinedEnd = _start + _last.Slice(_last.Start, examined).Length;
        _start += _last.Slice(_last.Start, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed, examined);
        if (examinedEnd > _credited)
        {
            long credit = examinedEnd - _credited;
            _credited = examinedEnd;
            connection.OnConsumed(credit);
        }
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ValueTask<ReadResult> read = inner.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            ReadResult result = read.Result;
            _last = result.Buffer;
            return ValueTask.FromResult(result);
        }
        return AwaitReadAsync(read);
    }

    private async ValueTask<ReadResult> AwaitReadAsync(ValueTask<ReadResult> read)
    {
        ReadResult result = await read;
        _last = result.Buffer;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }
        _last = result.Buffer;
        return true;
    }
}
