using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

internal sealed unsafe partial class QuicConnection
{
    // Work decided under the gate, done after it is released.
    private bool _startWriter;
    private bool _completeEstablished;
    private bool _releaseSpace;
    private bool _finishClose;

    /// <summary>What to do once the gate is released.</summary>
    private readonly record struct Post(bool StartWriter, bool CompleteEstablished, bool ReleaseSpace,
        bool FinishClose, TaskCompletionSource? Drained, bool CompleteInput);

    private Post TakePostLocked()
    {
        TaskCompletionSource? drained = null;
        if (_drainWaiter is not null && (_closed || DrainedLocked()))
        {
            drained = _drainWaiter;
            _drainWaiter = null;
        }
        if (_writerWaitingForSpace && (_closed || _queued - _acked < _ringCapacity))
        {
            _writerWaitingForSpace = false;
            _releaseSpace = true;
        }
        var post = new Post(_startWriter, _completeEstablished, _releaseSpace, _finishClose, drained,
            _inputCompletePending && !_inputBusy);
        _startWriter = _completeEstablished = _releaseSpace = _finishClose = false;
        return post;
    }

    private void RunPost(Post post)
    {
        if (post.ReleaseSpace)
        {
            _space.Release();
        }
        if (post.StartWriter)
        {
            _writerLoop = Task.Factory.StartNew(static s => ((QuicConnection)s!).WriterLoopAsync(), this,
                CancellationToken.None, TaskCreationOptions.DenyChildAttach, _side.Environment.TaskScheduler).Unwrap();
        }
        if (post.CompleteEstablished)
        {
            if (_halfOpen)
            {
                _halfOpen = false;
                _endpoint.HalfOpenEnded();
            }
            _established.TrySetResult();
            if (_listener is not null)
            {
                if (!_listener.Accepted.Writer.TryWrite(this))
                {
                    QuicLog.AcceptQueueFull(_side.Logger, LocalAddress, RemoteAddress);
                    Abort(new RpcTransportException("The QUIC listener's accept queue is full."));
                }
            }
        }
        post.Drained?.TrySetResult();
        if (post.CompleteInput)
        {
            PumpInput(mayFlush: false);
        }
        if (post.FinishClose)
        {
            FinishClose();
        }
    }

    private bool DrainedLocked() => _acked == _queued && (_writerIdle || _writerDone);


    private long CopyToRingLocked(ReadOnlySequence<byte> buffer)
    {
        long free = _ringCapacity - (_queued - _acked);
        long total = Math.Min(free, buffer.Length);
        long left = total;
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (left == 0)
            {
                break;
            }
            ReadOnlySpan<byte> span = segment.Span[..(int)Math.Min(segment.Length, left)];
            while (!span.IsEmpty)
            {
                long position = _queued % _ringCapacity;
                int chunk = (int)Math.Min(span.Length, _ringCapacity - position);
                span[..chunk].CopyTo(new Span<byte>(_ring + position, chunk));
                _queued += chunk;
                left -= chunk;
                span = span[chunk..];
            }
        }
        return total;
    }

    /// <summary>Writes and sends packets until ngtcp2 has nothing more to send now (or the per-call limit).</summary>
    private void WritePacketsLocked()
    {
        EnterNativeLocked();
        ulong now = Now();
        _ackHoldDeadline = 0; // whatever acknowledgement is due goes out with what is written now
        NgVec* vectors = stackalloc NgVec[2];
        NgPacketInfo info = default;
        bool streamBlocked = false;
        // ngtcp2 pads handshake datagrams to the room it is given: during the handshake a network-sized room keeps them
        // at about 1.4 KB instead of a loopback packet's 48 KiB (which made connecting measurably slower).
        nuint room = (nuint)(_streamsStarted ? _packetBytes : Math.Min(_packetBytes, NetworkPacketBytes));
        for (int packets = 0; packets < MaxPacketsPerFlush; packets++)
        {
            long streamId = -1;
            uint flags = 0;
            int count = 0;
            long unsent = _queued - _sent;
            if (_streamId >= 0 && !streamBlocked && (unsent > 0 || (_finPending && !_finSent)))
            {
                streamId = _streamId;
                count = FillVectors(vectors, unsent);
                if (_finPending)
                {
                    flags |= Ngtcp2.WriteStreamFlagFin;
                }
            }
            nint accepted = -1;
            nint written = Ngtcp2.WriteStream(_connection, _path, Ngtcp2.PacketInfoVersion, &info, _packet,
                room, &accepted, flags, streamId, vectors, (nuint)count, now);
            if (written < 0)
            {
                if (written is Ngtcp2.ErrorStreamDataBlocked or Ngtcp2.ErrorStreamShutWrite
                    or Ngtcp2.ErrorStreamNotFound)
                {
                    streamBlocked = true;
                    continue;
                }
                HandleErrorLocked((int)written);
                return;
            }
            if (accepted >= 0)
            {
                _sent += accepted;
                if (_finPending && _sent == _queued && (flags & Ngtcp2.WriteStreamFlagFin) != 0)
                {
                    _finSent = true;
                }
            }
            if (written == 0)
            {
                return;
            }
            _endpoint.Send(new ReadOnlySpan<byte>(_packet, (int)written), _remoteSocketAddress, RemoteAddress);
        }
        // Pacing stays off (ngtcp2_conn_update_pkt_tx_time is never called): its gaps are microseconds on fast paths,
        // far below what a TimeProvider timer can wait, and congestion control still bounds what is in flight.
        _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private int FillVectors(NgVec* vectors, long unsent)
    {
        if (unsent == 0)
        {
            return 0;
        }
        long start = _sent % _ringCapacity;
        long first = Math.Min(unsent, _ringCapacity - start);
        vectors[0] = new NgVec { Base = _ring + start, Length = (nuint)first };
        if (first == unsent)
        {
            return 1;
        }
        vectors[1] = new NgVec { Base = _ring, Length = (nuint)(unsent - first) };
        return 2;
    }

    /// <summary>Sets the timer to ngtcp2's next expiry, but not sooner than <paramref name="atLeast"/> from
    /// now.</summary>
    private void ArmTimerLocked(TimeSpan atLeast = default)
    {
        ulong expiry = Ngtcp2.GetExpiry(_connection);
        if (expiry == ulong.MaxValue)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        ulong now = Now();
        TimeSpan delay = expiry <= now ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Min((expiry - now) / 100,
            (ulong)TimeSpan.FromDays(1).Ticks));
        _timer.Change(delay < atLeast ? atLeast : delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The session layer consumed <paramref name="bytes"/> of input: give the peer that much credit (in
    /// batches of a sixteenth of the window, so a stream of small frames does not cost a packet each).</summary>
    internal void OnConsumed(long bytes)
    {
        if (bytes <= 0 || Interlocked.Add(ref _consumedPending, bytes) < _extendThreshold)
        {
            return;
        }
        Post post;
        lock (_gate)
        {
            long credit = Interlocked.Exchange(ref _consumedPending, 0);
            if (_closed || credit == 0 || _streamId < 0)
            {
                return;
            }
            Ngtcp2.ExtendMaxStreamOffset(_connection, _streamId, (ulong)credit);
            Ngtcp2.ExtendMaxOffset(_connection, (ulong)credit);
            AfterEventLocked();
            post = TakePostLocked();
        }
        RunPost(post);
    }

    /// <inheritdoc />
    public void Abort(Exception? reason)
    {
        Post post;
        lock (_gate)
        {
            if (_closed || _aborting)
            {
                return;
            }
            _aborting = true;
            _closeReason ??= reason;
            EndInputLocked(reason);
            if (!_streamsStarted)
            {
                CloseLocked(reason ?? new RpcConnectionClosedException("The QUIC connection was closed locally."),
                    sendClose: true, 0);
            }
            post = TakePostLocked();
        }
        RunPost(post);
        _closedSource.Cancel();
        _linger = LingerThenCloseAsync();
    }



    private void EndInputLocked(Exception? reason)
    {
        if (_inputEnded)
        {
            return;
        }
        _inputEnded = true;
        _inputFlushPending = false;
        // Completed outside the gate (PumpInput): the reader resumes inline and may call back into this connection.
        _inputCompletePending = true;
        _inputCompleteReason = reason;
    }

    /// <summary>Closes the connection: optionally sends CONNECTION_CLOSE (a TLS alert, a library error, or
    /// application error 0), ends both pipes, and frees the native state. The rest runs in <see cref="FinishClose"/>
    /// after the gate is released.</summary>
    private void CloseLocked(Exception reason, bool sendClose, byte alert, string? phrase = null,
        int libraryError = 0)
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _closeReason ??= reason;
        if (sendClose && _connection != 0)
        {
            SendCloseLocked(alert, phrase, libraryError);
        }
        EndInputLocked(reason is RpcConnectionClosedException { InnerException: null } && !_aborting ? null : reason);
        _output.Reader.CancelPendingRead();
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (CidKey cid in _cids)
        {
            _endpoint.Unregister(cid, this);
        }
        _cids.Clear();
        FreeNativeLocked();
        _finishClose = true;
    }

    private void SendCloseLocked(byte alert, string? phrase, int libraryError)
    {
        EnterNativeLocked();
        byte[] reason = Encoding.UTF8.GetBytes(phrase is null ? "" : phrase.Length > 200 ? phrase[..200] : phrase);
        NgConnectionCloseError error;
        NgPacketInfo info = default;
        fixed (byte* text = reason)
        {
            if (alert != 0)
            {
                Ngtcp2.SetTlsAlertError(&error, alert, text, (nuint)reason.Length);
            }
            else if (libraryError != 0)
            {
                Ngtcp2.SetLibraryError(&error, libraryError, text, (nuint)reason.Length);
            }
            else
            {
                Ngtcp2.SetApplicationError(&error, 0, text, (nuint)reason.Length);
            }
            nint written = Ngtcp2.WriteConnectionClose(_connection, _path, Ngtcp2.PacketInfoVersion, &info, _packet,
                (nuint)_packetBytes, &error, Now());
            if (written > 0)
            {
                _endpoint.Send(new ReadOnlySpan<byte>(_packet, (int)written), _remoteSocketAddress, RemoteAddress);
            }
        }
    }

    private void FreeNativeLocked()
    {
        if (_connection != 0)
        {
            Ngtcp2.Delete(_connection);
            _connection = 0;
        }
        DisposeCiphersLocked();
        if (_session != 0)
        {
            GnuTls.Deinit(_session);
            _session = 0;
        }
        NativeMemory.Free(_reference);
        NativeMemory.Free(_remoteNative);
        NativeMemory.Free(_path);
        NativeMemory.Free(_packet);
        NativeMemory.Free(_ring);
        _reference = null;
        _remoteNative = null;
        _path = null;
        _packet = null;
        _ring = null;
        if (_handle.IsAllocated)
        {
            _handle.Free();
        }
    }

    /// <summary>The part of closing that runs outside the gate: wake waiters, give back the half-open slot and the
    /// endpoint reference.</summary>
    private void FinishClose()
    {
        Exception reason = _closeReason ?? new RpcConnectionClosedException("The QUIC connection was closed.");
        _timer.Dispose();
        _closedSource.Cancel();
        if (_established.TrySetException(reason) && _listener is not null)
        {
            QuicLog.HandshakeFailed(_side.Logger, RemoteAddress, reason.Message);
        }
        _established.Task.Exception?.Handle(static _ => true);
        if (_halfOpen)
        {
            _halfOpen = false;
            _endpoint.HalfOpenEnded();
        }
        QuicLog.ConnectionClosed(_side.Logger, LocalAddress, RemoteAddress, reason.Message);
        if (_listener is null)
        {
            _endpoint.EndDial(Remote);
        }
        _ = _endpoint.Release();
    }
}
