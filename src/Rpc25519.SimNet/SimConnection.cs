using System.Buffers;
using System.IO.Pipelines;
using Rpc25519.Messages;
using Rpc25519.Transport;

namespace Rpc25519.SimNet;

/// <summary>
/// One end of a simulated connection (a circuit end, in the original's words), owned by one node process. Bytes
/// flushed to <see cref="IDuplexPipe.Output"/> are cut into messages and sent through the network; messages that
/// arrive are written into the input pipe, whose reader continuations run as work of the owning node.
/// </summary>
/// <remarks>Thread-safety: simulation thread only; <see cref="Abort"/> and <see cref="DisposeAsync"/> may be called
/// any number of times.</remarks>
internal sealed class SimConnection : IConnection, IDuplexPipe
{

    private readonly SimNetwork _network;
    private readonly Pipe _inbound;
    private readonly SimPipeWriter _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly LinkedList<SimMessage> _inFlight = new();
    private readonly LinkDeliveryEvent _delivery;
    private byte[] _partial = [];
    private int _partialCount;
    private long _lastArrivalTicks;
    private long _dropAttempts;
    private long _dropCount;
    private bool _inputEnded;

    public SimConnection(SimNetwork network, SimHost host, long id, string localAddress, string remoteAddress)
    {
        _network = network;
        Host = host;
        Id = id;
        Process = host.Node.Process;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        // The reader's wake-ups go through the owning node's pipe scheduler, whatever context the awaiting code
        // captured (so the synchronization context is not used); the network writes inline on the simulation thread
        // and never waits for the reader, so writer pausing is off (threshold 0).
        _inbound = new Pipe(new PipeOptions(
            pool: null,
            readerScheduler: Process.PipeScheduler,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: -1,
            useSynchronizationContext: false));
        _output = new SimPipeWriter(this);
        _delivery = new LinkDeliveryEvent(network.InfrastructureProcess, this);
        ConnectionClosed = _closed.Token;
        DropSendProbability = host.DropSendProbability;
        DeafReadProbability = host.DeafReadProbability;
    }

    /// <summary>Network-wide number of this connection end (both ends of a connection have their own).</summary>
    public long Id { get; }

    public SimHost Host { get; }

    /// <summary>The process that owns this end; after a power cycle it is dead and the end is gone.</summary>
    public SimProcess Process { get; }

    /// <summary>The other end. Set once, right after both ends exist.</summary>
    public SimConnection Peer { get; set; } = null!;

    public string LocalAddress { get; }

    public string RemoteAddress { get; }

    public IDuplexPipe Transport => this;

    public PipeReader Input => _inbound.Reader;

    public PipeWriter Output => _output;

    public CancellationToken ConnectionClosed { get; }

    /// <summary>Probability that a message sent from this end is lost (circuit fault).</summary>
    public double DropSendProbability { get; set; }

    /// <summary>Probability that a message arriving at this end is not heard (circuit fault).</summary>
    public double DeafReadProbability { get; set; }

    /// <summary>True once this end sent its FIN (its output completed).</summary>
    public bool OutputEnded { get; private set; }

    /// <summary>True once this end was closed locally (abort, dispose, reset, owner crash).</summary>
    public bool IsClosed { get; private set; }

    /// <summary>True when the owning process is dead: this end can neither send nor hear anything.</summary>
    public bool IsGone => !Process.IsAlive;

    /// <summary>Under the stream loss model: the send direction lost a message and holds everything behind
    /// it.</summary>
    public bool IsStalled { get; set; }

    /// <summary>The armed reset of a stalled direction, if any.</summary>
    public CallbackEvent? StallReset { get; set; }

    /// <summary>Messages in flight from this end.</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>Arrival times of the messages in flight, earliest first (for snapshots).</summary>
    public IEnumerable<SimMessage> InFlight => _inFlight;

    /// <summary>Decides with the deterministic credit counter whether the next message from this end is dropped.
    /// </summary>
    public bool DrawDrop()
    {
        double p = DropSendProbability;
        if (p <= 0)
        {
            return false;
        }
        _dropAttempts++;
        if (_dropCount < p * _dropAttempts)
        {
            _dropCount++;
            return true;
        }
        return false;
    }

    public void Abort(Exception? reason)
    {
        if (IsClosed)
        {
            return;
        }
        CloseLocally(new IOException("The connection was aborted locally.", reason));
        _network.SendControl(this, SimMessageKind.Reset);
    }

    public ValueTask DisposeAsync()
    {
        if (!IsClosed)
        {
            EndOutput();
            CloseLocally(null);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Called by the output writer with the bytes of one flush.</summary>
    public void OnFlush(ReadOnlySpan<byte> bytes)
    {
        if (IsClosed || OutputEnded || bytes.IsEmpty)
        {
            return;
        }
        if (_network.Framing == SimFraming.Flush)
        {
            _network.SendData(this, bytes.ToArray());
            return;
        }
        if (_partialCount > 0)
        {
            AppendPartial(bytes);
            int used = SendFrames(_partial.AsSpan(0, _partialCount));
            _partial.AsSpan(used, _partialCount - used).CopyTo(_partial);
            _partialCount -= used;
            return;
        }
        int consumed = SendFrames(bytes);
        if (consumed < bytes.Length)
        {
            AppendPartial(bytes[consumed..]);
        }
    }

    /// <summary>Sends a FIN once; the peer reads end of stream after the data before it.</summary>
    public void EndOutput()
    {
        if (OutputEnded || IsClosed)
        {
            return;
        }
        if (_partialCount > 0)
        {
            // A partial frame at the end of the stream is sent as it is: the reader will see a truncated frame.
            _network.SendData(this, _partial.AsSpan(0, _partialCount).ToArray());
            _partialCount = 0;
        }
        OutputEnded = true;
        _network.SendControl(this, SimMessageKind.Fin);
    }

    /// <summary>Queues <paramref name="message"/> in flight, sorted by arrival (FIFO unless
    /// <paramref name="overtake"/>), and arms delivery.</summary>
    public void Enqueue(SimMessage message, long latencyTicks, bool overtake)
    {
        long arrival = _network.NowTicks + latencyTicks;
        if (!overtake)
        {
            arrival = Math.Max(arrival, _lastArrivalTicks);
            _lastArrivalTicks = arrival;
        }
        message.ArrivalTicks = arrival;
        LinkedListNode<SimMessage>? after = _inFlight.Last;
        while (after is not null && (after.Value.ArrivalTicks > arrival
                                     || (after.Value.ArrivalTicks == arrival && after.Value.Id > message.Id)))
        {
            after = after.Previous;
        }
        LinkedListNode<SimMessage> inserted = after is null ? _inFlight.AddFirst(message)
            : _inFlight.AddAfter(after, message);
        CheckOrder(inserted);
        _delivery.EnsureArmed(_inFlight.First!.Value.ArrivalTicks);
    }

    /// <summary>The link is sorted by arrival time: checked around each insertion in every build (O(1)), because a
    /// broken order would silently reorder a byte stream.</summary>
    private static void CheckOrder(LinkedListNode<SimMessage> node)
    {
        long arrival = node.Value.ArrivalTicks;
        if ((node.Previous is { } previous && previous.Value.ArrivalTicks > arrival)
            || (node.Next is { } next && next.Value.ArrivalTicks < arrival))
        {
            throw new SimulationException($"SimNet bug: message {node.Value.Id} was queued out of arrival order.");
        }
    }

    /// <summary>Hands every message due by <paramref name="nowTicks"/> to the network, then re-arms.</summary>
    public void DeliverArrived(long nowTicks)
    {
        while (_inFlight.First is { } first && first.Value.ArrivalTicks <= nowTicks)
        {
            _inFlight.RemoveFirst();
            _network.Arrive(first.Value);
        }
        if (_inFlight.First is { } next)
        {
            _delivery.EnsureArmed(next.Value.ArrivalTicks);
        }
    }

    /// <summary>Removes every message still in flight (a reset of the connection) and returns them.</summary>
    public List<SimMessage> TakeInFlight()
    {
        var taken = new List<SimMessage>(_inFlight);
        _inFlight.Clear();
        return taken;
    }

    /// <summary>Writes arrived bytes into the input pipe; the reader wakes as work of the owning node.</summary>
    public void ReceiveData(byte[] data)
    {
        if (_inputEnded)
        {
            return;
        }
        _inbound.Writer.Write(data.AsSpan());
        ValueTask<FlushResult> flush = _inbound.Writer.FlushAsync();
        // With pausing off a flush completes at once; anything else would mean the network waits on a reader.
        if (!flush.IsCompleted)
        {
            throw new InvalidOperationException("SimNet input pipe flush did not complete synchronously.");
        }
    }

    /// <summary>The peer's FIN arrived: the reader sees end of stream.</summary>
    public void ReceiveFin()
    {
        EndInput(null);
    }

    /// <summary>The peer reset the connection: the reader fails, and the connection is closed here.</summary>
    public void ReceiveReset(string why)
    {
        if (IsClosed)
        {
            return;
        }
        CloseLocally(new IOException($"Connection reset by peer ({why})."));
    }

    /// <summary>Closes this end without telling the peer (a reset already arrived, or the owner crashed).</summary>
    public void CloseLocally(Exception? readerError)
    {
        if (IsClosed)
        {
            return;
        }
        IsClosed = true;
        _output.MarkClosed();
        EndInput(readerError);
        _network.OnClosed(this);
        _closed.Cancel();
    }

    private void EndInput(Exception? error)
    {
        if (_inputEnded)
        {
            return;
        }
        _inputEnded = true;
        _inbound.Writer.Complete(error);
    }

    private int SendFrames(ReadOnlySpan<byte> bytes)
    {
        int consumed = 0;
        while (bytes.Length - consumed >= FrameHeader.Size)
        {
            ReadOnlySpan<byte> rest = bytes[consumed..];
            if (!FrameHeader.TryGetFrameLength(rest, out long frameBytes))
            {
                // Not Rpc25519 framing: send the rest as one message rather than guess at boundaries.
                _network.SendData(this, rest.ToArray());
                return bytes.Length;
            }
            if (frameBytes > rest.Length)
            {
                break;
            }
            _network.SendData(this, rest[..(int)frameBytes].ToArray());
            consumed += (int)frameBytes;
        }
        return consumed;
    }

    private void AppendPartial(ReadOnlySpan<byte> bytes)
    {
        if (_partialCount + bytes.Length > _partial.Length)
        {
            Array.Resize(ref _partial, Math.Max(_partialCount + bytes.Length, _partial.Length * 2));
        }
        bytes.CopyTo(_partial.AsSpan(_partialCount));
        _partialCount += bytes.Length;
    }

    public override string ToString() => $"{LocalAddress}->{RemoteAddress}#{Id}";
}
