using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Tls;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>
/// One QUIC connection (an ngtcp2 connection with its GnuTLS session) carrying one bidirectional stream, exposed as
/// the byte pipes of <see cref="IConnection"/>. Datagrams arrive from the endpoint's receive loop, timer expiries from
/// the <see cref="TimeProvider"/>, bytes to send from the session layer's writes; each of these takes
/// <see cref="_gate"/>, calls into ngtcp2, sends what it produced and re-arms the timer.
/// </summary>
/// <remarks>
/// <para>Thread-safety: every call into ngtcp2 or GnuTLS is made under <see cref="_gate"/>. Callbacks from native code
/// run inside those calls, so they only record what happened (flags, counters); the work that follows (completing the
/// handshake task, queuing an accepted connection, closing) runs after the native call returns.</para>
/// <para>Sent stream bytes live in a native ring buffer until the peer acknowledges them (ngtcp2 resends from it);
/// received bytes go to the input pipe, and the peer may send more only as the session layer consumes them.</para>
/// </remarks>
internal sealed unsafe partial class QuicConnection : IConnection, IDuplexPipe
{
    /// <summary>Largest UDP payload on other paths: ngtcp2's limit with path MTU discovery (1452 bytes).</summary>
    private const int NetworkPacketBytes = 1452;

    /// <summary>Largest UDP payload to a loopback address, whose MTU is 64 KiB: fewer, larger packets cut the
    /// per-packet cost (system calls, headers, acknowledgements, cipher calls) for bulk data. 48 KiB rather than the
    /// earlier 16 KiB: in smoke runs a 1 MiB echo took about a third less CPU, also with the receive buffer held to
    /// Debian's default <c>net.core.rmem_max</c>; it stays clear of UDP's 65,507-byte limit.</summary>
    private const int LoopbackPacketBytes = 48 * 1024;

    /// <summary>Packets written per call before the rest is left to an immediate timer, so one connection cannot hold
    /// its lock (and the receive loop) for long.</summary>
    private const int MaxPacketsPerFlush = 64;

    /// <summary>Longest wait for a reply to carry the acknowledgement of a lone received packet; equal to the
    /// max_ack_delay transport parameter we announce (see <see cref="AfterReceiveBatch"/>).</summary>
    private static readonly TimeSpan AckHold = TimeSpan.FromMilliseconds(1);

    /// <summary>How long closing waits for sent bytes to be acknowledged before it gives up on them.</summary>
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    private readonly QuicEndpoint _endpoint;
    private readonly QuicSide _side;
    private readonly QuicListenerState? _listener;
    private readonly SocketAddress _remoteSocketAddress;
    private readonly Lock _gate = new();
    private readonly List<CidKey> _cids = [];
    private readonly ITimer _timer;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly QuicInputReader _inputReader;
    private readonly CancellationTokenSource _closedSource = new();
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _space = new(0, 1);
    private readonly TimeProvider _time;
    private readonly long _timestampFrequency;
    private readonly long _extendThreshold;
    private GCHandle _handle;

    /// <summary>Native block: the GnuTLS session's connection reference, the remote address, the path, the packet
    /// buffer. Freed when the connection closes.</summary>
    private NgConnRef* _reference;
    private byte* _remoteNative;
    private NgPath* _path;
    private byte* _packet;
    /// <summary>Size of <see cref="_packet"/>: the largest UDP payload this connection sends.</summary>
    private readonly int _packetBytes;
    private nint _connection;
    private nint _session;

    /// <summary>Ring of sent but unacknowledged stream bytes (allocated once the handshake is done).</summary>
    private byte* _ring;
    private long _ringCapacity;
    /// <summary>Stream offsets: bytes copied into the ring, handed to ngtcp2, acknowledged by the peer.</summary>
    private long _queued;
    private long _sent;
    private long _acked;
    private bool _finPending;
    private bool _finSent;
    private long _streamId = -1;
    private bool _writerWaitingForSpace;
    private bool _writerIdle;
    private bool _writerDone;
    private Task _writerLoop = Task.CompletedTask;
    private Task _linger = Task.CompletedTask;
    private TaskCompletionSource? _drainWaiter;

    /// <summary>Bytes the session layer consumed that have not yet been returned to the peer as flow-control
    /// credit.</summary>
    private long _consumedPending;
    private bool _inputEnded;
    /// <summary>Received bytes were written to the input pipe but not yet flushed (done once per receive batch).</summary>
    private bool _inputFlushPending;
    /// <summary>The input pipe's writer is to be completed (with <see cref="_inputCompleteReason"/>) outside the
    /// gate.</summary>
    private bool _inputCompletePending;
    private Exception? _inputCompleteReason;
    /// <summary>A thread is flushing or completing the input pipe outside the gate (see <see cref="PumpInput"/>).</summary>
    private bool _inputBusy;
    /// <summary>Datagrams this connection read in the current receive batch.</summary>
    private int _batchStreamFrames;
    /// <summary>ngtcp2 time by which a held acknowledgement must be sent; 0 when none is held.</summary>
    private ulong _ackHoldDeadline;

    // What native callbacks saw; handled after the native call returns.
    private bool _handshakeCompleted;
    private bool _handshakeConfirmed;
    private bool _streamsStarted;
    private string? _rejection;
    private short _rejectionAlert;
    private Exception? _callbackError;

    private bool _halfOpen;
    private bool _aborting;
    private bool _closed;
    private Exception? _closeReason;

    private QuicConnection(QuicEndpoint endpoint, QuicSide side, IPEndPoint remote, QuicListenerState? listener)
    {
        _endpoint = endpoint;
        _side = side;
        _listener = listener;
        _time = side.Environment.TimeProvider;
        _timestampFrequency = _time.TimestampFrequency;
        _remoteSocketAddress = remote.Serialize();
        Remote = remote;
        LocalAddress = endpoint.LocalAddress;
        RemoteAddress = HostPort.Format("udp", remote);
        var scheduler = new TaskSchedulerPipeScheduler(side.Environment.TaskScheduler);
        _input = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: scheduler,
            pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024,
            useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: scheduler,
            pauseWriterThreshold: side.Options.StreamWindowBytes, resumeWriterThreshold: side.Options.StreamWindowBytes / 2,
            minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));
        _inputReader = new QuicInputReader(_input.Reader, this);
        _extendThreshold = Math.Max(1, side.Options.StreamWindowBytes / 16);
        ConnectionClosed = _closedSource.Token;
        _timer = _time.CreateTimer(static s => ((QuicConnection)s!).OnTimer(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _handle = GCHandle.Alloc(this);
        _reference = (NgConnRef*)NativeMemory.AllocZeroed((nuint)sizeof(NgConnRef));
        _reference->GetConn = (nint)(delegate* unmanaged<NgConnRef*, nint>)&GetConnCallback;
        _reference->Connection = GCHandle.ToIntPtr(_handle);
        _remoteNative = (byte*)NativeMemory.AllocZeroed(28);
        NativeSocketAddress.Write(remote, new Span<byte>(_remoteNative, 28), out uint remoteLength);
        _path = (NgPath*)NativeMemory.AllocZeroed((nuint)sizeof(NgPath));
        _path->Local = new NgAddr { Address = endpoint.LocalSocketAddress.Address,
            AddressLength = endpoint.LocalSocketAddress.Length };
        _path->Remote = new NgAddr { Address = _remoteNative, AddressLength = remoteLength };
        _packetBytes = IPAddress.IsLoopback(remote.Address) ? LoopbackPacketBytes : NetworkPacketBytes;
        _packet = (byte*)NativeMemory.Alloc((nuint)_packetBytes);
    }

    /// <summary>The peer's address.</summary>
    public IPEndPoint Remote { get; }

    /// <inheritdoc />
    public string LocalAddress { get; }

    /// <inheritdoc />
    public string RemoteAddress { get; }

    /// <inheritdoc />
    public IDuplexPipe Transport => this;

    /// <summary>Stream bytes from the peer.</summary>
    public PipeReader Input => _inputReader;

    /// <summary>Stream bytes to the peer.</summary>
    public PipeWriter Output => _output.Writer;

    /// <inheritdoc />
    public CancellationToken ConnectionClosed { get; }

    /// <summary>Completes when the handshake is done (client: confirmed by the server; server: complete); fails with
    /// the reason when the connection closes first.</summary>
    public Task Established => _established.Task;

    /// <summary>The negotiated TLS cipher and protocol (GnuTLS codes), for tests; zero before the handshake.</summary>
    public (int Cipher, int Protocol) Negotiated { get; private set; }

    /// <summary>Makes a client connection and sends its first Initial packet. The caller holds a reference on
    /// <paramref name="endpoint"/> for it.</summary>
    /// <exception cref="RpcTransportException">ngtcp2 or GnuTLS refused to set it up.</exception>
    public static QuicConnection CreateClient(QuicEndpoint endpoint, QuicSide side, IPEndPoint remote)
    {
        var connection = new QuicConnection(endpoint, side, remote, listener: null);
        Post post;
        lock (connection._gate)
        {
            try
            {
                connection.InitializeLocked(server: false, null, null);
            }
            catch
            {
                connection.FreeNativeLocked();
                connection._timer.Dispose();
                throw;
            }
            connection.WritePacketsLocked();
            connection.ArmTimerLocked();
            post = connection.TakePostLocked();
        }
        connection.RunPost(post);
        return connection;
    }

    /// <summary>Makes a server connection for a client's first Initial packet (the caller then passes that packet to
    /// <see cref="OnDatagram"/>). The caller holds a reference on <paramref name="endpoint"/> and a half-open slot for
    /// it. <c>originalDcid</c> is the destination ID of the client's first Initial when it came back through a Retry
    /// (taken from the verified token), else null.</summary>
    /// <exception cref="RpcTransportException">ngtcp2 or GnuTLS refused to set it up.</exception>
    public static QuicConnection CreateServer(QuicEndpoint endpoint, QuicListenerState listener, IPEndPoint remote,
        NgPacketHeader* header, NgCid* originalDcid)
    {
        var connection = new QuicConnection(endpoint, endpoint.Context.Side(server: true), remote, listener)
        {
            _halfOpen = true,
        };
        lock (connection._gate)
        {
            try
            {
                connection.InitializeLocked(server: true, header, originalDcid);
            }
            catch
            {
                connection._halfOpen = false;
                connection.FreeNativeLocked();
                connection._timer.Dispose();
                throw;
            }
        }
        return connection;
    }

    private void InitializeLocked(bool server, NgPacketHeader* header, NgCid* originalDcid)
    {
        QuicLibrary.Handles native = _endpoint.Context.Native;
        NgCid scid = RandomCid();
        NgCid dcid = server ? header->Scid : RandomCid();
        NgCallbacks callbacks = Callbacks(native.Callbacks, server);
        NgSettings settings;
        Ngtcp2.SettingsDefault(Ngtcp2.SettingsVersion, &settings);
        settings.InitialTimestamp = Now();
        settings.HandshakeTimeout = Nanoseconds(_side.Options.HandshakeTimeout);
        if (_packetBytes > NetworkPacketBytes)
        {
            settings.MaxTxUdpPayloadSize = (nuint)_packetBytes;
            settings.NoTxUdpPayloadSizeShaping = 1;
            settings.NoPmtud = 1;
        }
        ulong window = (ulong)_side.Options.StreamWindowBytes;
        settings.MaxStreamWindow = window * 4;
        settings.MaxWindow = window * 4;
        NgTransportParams parameters;
        Ngtcp2.TransportParamsDefault(Ngtcp2.TransportParamsVersion, &parameters);
        parameters.InitialMaxStreamDataBidiLocal = window;
        parameters.InitialMaxStreamDataBidiRemote = window;
        parameters.InitialMaxData = window;
        parameters.InitialMaxStreamsBidi = server ? 1UL : 0UL;
        parameters.InitialMaxStreamsUni = 0;
        parameters.MaxIdleTimeout = Nanoseconds(_side.Options.IdleTimeout);
        parameters.ActiveConnectionIdLimit = 4;
        // Acknowledge within 1 ms (QUIC's default allows 25 ms): the end of a message is often an odd packet, and a
        // sender whose window waits for that acknowledgement would otherwise stall for the whole delay.
        parameters.MaxAckDelay = Nanoseconds(AckHold);
        nint connection;
        int result;
        if (server)
        {
            if (originalDcid is not null)
            {
                // Through a Retry: the client's first destination ID came back in the token, and the ID it now sends
                // to is the one our Retry chose. The validated token also lifts the anti-amplification limit.
                parameters.OriginalDcid = *originalDcid;
                parameters.RetryScid = header->Dcid;
                parameters.RetryScidPresent = 1;
                settings.Token = header->Token;
            }
            else
            {
                parameters.OriginalDcid = header->Dcid;
            }
            parameters.StatelessResetTokenPresent = 1;
            fixed (byte* secret = _endpoint.ResetSecret)
            {
                Ngtcp2Crypto.GenerateStatelessResetToken(parameters.StatelessResetToken, secret,
                    (nuint)_endpoint.ResetSecret.Length, &scid);
            }
            result = Ngtcp2.ServerNew(&connection, &dcid, &scid, _path, header->Version, Ngtcp2.CallbacksVersion,
                &callbacks, Ngtcp2.SettingsVersion, &settings, Ngtcp2.TransportParamsVersion, &parameters, 0,
                GCHandle.ToIntPtr(_handle));
        }
        else
        {
            result = Ngtcp2.ClientNew(&connection, &dcid, &scid, _path, Ngtcp2.ProtocolVersion1,
                Ngtcp2.CallbacksVersion, &callbacks, Ngtcp2.SettingsVersion, &settings,
                Ngtcp2.TransportParamsVersion, &parameters, 0, GCHandle.ToIntPtr(_handle));
        }
        if (result != 0)
        {
            throw new RpcTransportException($"ngtcp2 refused to start a QUIC connection to {RemoteAddress}: " +
                $"{Ngtcp2.ErrorText(result)}.");
        }
        _connection = connection;
        _reference->UserData = connection;
        _session = _side.NewSession(_reference);
        Ngtcp2.SetTlsNativeHandle(connection, _session);
        if (_side.Options.IdleTimeout > TimeSpan.Zero)
        {
            Ngtcp2.SetKeepAliveTimeout(connection, Nanoseconds(_side.Options.IdleTimeout / 4));
        }
        RegisterLocked(CidKey.From(new ReadOnlySpan<byte>(scid.Data, (int)scid.Length)));
        if (server)
        {
            NgCid original = header->Dcid;
            RegisterLocked(CidKey.From(new ReadOnlySpan<byte>(original.Data, (int)original.Length)));
        }
    }

    private void RegisterLocked(CidKey key)
    {
        _cids.Add(key);
        _endpoint.Register(key, this);
    }

    internal static NgCid RandomCid()
    {
        var cid = new NgCid { Length = CidKey.IssuedLength };
        RandomNumberGenerator.Fill(new Span<byte>(cid.Data, CidKey.IssuedLength));
        return cid;
    }

    /// <summary>ngtcp2's clock: nanoseconds from the <see cref="TimeProvider"/>'s timestamp.</summary>
    private ulong Now() => (ulong)((UInt128)(ulong)_time.GetTimestamp() * 1_000_000_000UL / (ulong)_timestampFrequency);

    internal static ulong Nanoseconds(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (ulong)span.Ticks * 100;

    /// <summary>A datagram for this connection from the endpoint's receive loop.</summary>
    public void OnDatagram(byte* data, int length, SocketAddress from)
    {
        if (!from.Equals(_remoteSocketAddress))
        {
            return; // Migration is not supported: a packet from another address is dropped.
        }
        Post post;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            NgPacketInfo info = default;
            EnterNativeLocked();
            int result = Ngtcp2.ReadPacket(_connection, _path, Ngtcp2.PacketInfoVersion, &info, data, (nuint)length,
                Now());
            if (result != 0)
            {
                HandleErrorLocked(result);
                post = TakePostLocked();
            }
            else
            {
                // Acknowledgements, replies and the reader's wake-up wait for the end of the receive batch.
                _endpoint.Touched(this);
                return;
            }
        }
        RunPost(post);
    }

    /// <summary>The receive loop read every datagram queued for now: send what they call for, wake the reader, re-arm
    /// the timer.</summary>
    internal void AfterReceiveBatch()
    {
        Post post;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            int streamFrames = _batchStreamFrames;
            _batchStreamFrames = 0;
            bool hold = false;
            // Counted in stream frames, not datagrams: a batch that holds the peer's lone acknowledgement next to its
            // next request is still one request. (Counting datagrams made one acknowledgement sent alone, after a
            // pause, pull both sides into acknowledging every packet at once for the rest of the connection.)
            if (streamFrames == 1 && _inputFlushPending && _streamsStarted && _callbackError is null && _queued == _sent
                && !_finPending)
            {
                // One packet of stream data, nothing of ours waiting: most likely a request or a reply the session
                // layer is about to answer. ngtcp2 would acknowledge it at once (its ACK delay is an eighth of the
                // RTT, microseconds on loopback), costing a packet each way per call; hold the ACK for up to the
                // 1 ms we announced as max_ack_delay, so the answer carries it. Batches of several packets (bulk
                // data) are acknowledged at once, as ngtcp2 decides. A stream of lone packets that gets no answer is
                // still acknowledged within 1 ms of the first: the hold never moves past that deadline.
                ulong now = Now();
                if (_ackHoldDeadline == 0)
                {
                    _ackHoldDeadline = now + Nanoseconds(AckHold);
                }
                hold = now < _ackHoldDeadline;
                if (hold)
                {
                    ArmTimerLocked(TimeSpan.FromTicks((long)(_ackHoldDeadline - now) / 100));
                }
            }
            if (!hold)
            {
                AfterEventLocked();
            }
            post = TakePostLocked();
        }
        RunPost(post);
        PumpInput(mayFlush: true);
    }

    /// <summary>
    /// Flushes or completes the input pipe outside the gate. Its reader resumes inline (as over TLS), so the session
    /// layer reads on the receive loop without a hop through the thread pool; that code may call back into this
    /// connection (credit, replies, close), which is why no lock is held here. One thread at a time does this work
    /// (<see cref="_inputBusy"/>); work that others request meanwhile is picked up by it before it lets go. Only the
    /// receive loop flushes (<paramref name="mayFlush"/>), since only it writes received bytes into the pipe.
    /// </summary>
    private void PumpInput(bool mayFlush)
    {
        lock (_gate)
        {
            if (_inputBusy || !(_inputCompletePending || (mayFlush && _inputFlushPending)))
            {
                return;
            }
            _inputBusy = true;
        }
        while (true)
        {
            bool complete;
            Exception? reason;
            lock (_gate)
            {
                complete = _inputCompletePending;
                reason = _inputCompleteReason;
                if (!complete && !(mayFlush && _inputFlushPending))
                {
                    _inputBusy = false;
                    return;
                }
                _inputCompletePending = false;
                _inputFlushPending = false;
            }
            if (complete)
            {
                _input.Writer.Complete(reason);
            }
            else
            {
                _ = _input.Writer.FlushAsync(); // never pauses: QUIC flow control bounds what the pipe holds
            }
        }
    }

    private void OnTimer()
    {
        Post post;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            EnterNativeLocked();
            int result = Ngtcp2.HandleExpiry(_connection, Now());
            if (result != 0)
            {
                HandleErrorLocked(result);
            }
            else
            {
                AfterEventLocked();
            }
            post = TakePostLocked();
        }
        RunPost(post);
    }

    /// <summary>After a successful native call: start the stream once the handshake is done, send what is due,
    /// re-arm the timer.</summary>
    private void AfterEventLocked()
    {
        if (_callbackError is not null)
        {
            CloseLocked(new RpcTransportException($"QUIC connection {RemoteAddress} failed: " +
                _callbackError.Message, _callbackError), sendClose: true, 0);
            return;
        }
        bool ready = _side.IsServer ? _handshakeCompleted : _handshakeConfirmed;
        if (ready && !_streamsStarted)
        {
            StartStreamsLocked();
        }
        WritePacketsLocked();
        if (!_closed)
        {
            ArmTimerLocked();
        }
    }

    private void StartStreamsLocked()
    {
        _streamsStarted = true;
        Negotiated = (GnuTls.GetCipher(_session), GnuTls.GetProtocolVersion(_session));
        _ringCapacity = _side.Options.StreamWindowBytes;
        _ring = (byte*)NativeMemory.Alloc((nuint)_ringCapacity);
        if (!_side.IsServer)
        {
            long streamId;
            int result = Ngtcp2.OpenBidiStream(_connection, &streamId, 0);
            if (result != 0)
            {
                CloseLocked(new RpcTransportException($"Cannot open the QUIC stream to {RemoteAddress}: " +
                    $"{Ngtcp2.ErrorText(result)}."), sendClose: true, 0);
                return;
            }
            _streamId = streamId;
        }
        _startWriter = true;
        _completeEstablished = true;
    }

    /// <summary>Turns an ngtcp2 error from reading a packet or handling a timer into a close with a typed
    /// reason.</summary>
    private void HandleErrorLocked(int error)
    {
        switch (error)
        {
            case Ngtcp2.ErrorDraining:
                CloseLocked(PeerCloseReason(), sendClose: false, 0);
                return;
            case Ngtcp2.ErrorIdleClose:
                CloseLocked(new RpcConnectionClosedException($"The QUIC connection to {RemoteAddress} was idle " +
                    $"longer than its idle timeout ({_side.Options.IdleTimeout.TotalSeconds:0.###} s)."),
                    sendClose: false, 0);
                return;
            case Ngtcp2.ErrorHandshakeTimeout:
                CloseLocked(new RpcTransportException($"The QUIC handshake with {RemoteAddress} took longer than " +
                    $"QuicOptions.HandshakeTimeout ({_side.Options.HandshakeTimeout.TotalSeconds:0.###} s)."),
                    sendClose: false, 0);
                return;
            case Ngtcp2.ErrorDropConnection:
                CloseLocked(new RpcTransportException($"QUIC connection to {RemoteAddress} dropped."), false, 0);
                return;
            case Ngtcp2.ErrorCrypto:
                byte alert = _rejection is not null ? (byte)_rejectionAlert : Ngtcp2.GetTlsAlert(_connection);
                string reason = _rejection ?? $"TLS alert '{AlertDescription.GetText(alert)}'";
                CloseLocked(new AuthenticationRejectedException($"QUIC handshake with {RemoteAddress} failed: " +
                    $"{reason}"), sendClose: true, alert, reason);
                return;
            default:
                CloseLocked(new RpcTransportException($"QUIC connection to {RemoteAddress} failed: " +
                    $"{Ngtcp2.ErrorText(error)}."), sendClose: true, 0, libraryError: error);
                return;
        }
    }

    /// <summary>Why the peer closed, from its CONNECTION_CLOSE frame.</summary>
    private Exception PeerCloseReason()
    {
        NgConnectionCloseError error;
        Ngtcp2.GetConnectionCloseError(_connection, &error);
        string phrase = error.Reason is null || error.ReasonLength == 0 ? ""
            : Encoding.UTF8.GetString(error.Reason, (int)Math.Min(error.ReasonLength, 1024));
        if (error.Type == NgConnectionCloseError.TypeTransport && error.ErrorCode >= Ngtcp2.CryptoErrorBase
            && error.ErrorCode < Ngtcp2.CryptoErrorBase + 256)
        {
            short alert = (short)(error.ErrorCode - Ngtcp2.CryptoErrorBase);
            return new AuthenticationRejectedException($"{RemoteAddress} rejected the QUIC handshake with alert " +
                $"'{AlertDescription.GetText(alert)}'{TlsConnection.Hint(alert)}" +
                (phrase.Length > 0 ? $": {phrase}." : "."));
        }
        if (error.Type == NgConnectionCloseError.TypeTransport && error.ErrorCode == Ngtcp2.InvalidTokenError)
        {
            return new RpcConnectionClosedException($"{RemoteAddress} refused our address-validation (Retry) token: " +
                "it was altered, expired (QuicOptions.RetryTokenLifetime on the server) or came from another address.");
        }
        if (error.Type == NgConnectionCloseError.TypeApplication && error.ErrorCode == 0)
        {
            return new RpcConnectionClosedException($"{RemoteAddress} closed the QUIC connection.");
        }
        return new RpcConnectionClosedException($"{RemoteAddress} closed the QUIC connection with error " +
            $"0x{error.ErrorCode:x}{(phrase.Length > 0 ? ": " + phrase : "")}.");
    }
}
