using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>
/// One UDP socket and the QUIC connections on it: a receive loop hands each datagram to the connection its
/// destination connection ID names, starts server connections for new Initial packets while a listener is attached,
/// and answers packets for unknown connections with a stateless reset. Reference-counted: a listener and each
/// connection hold a reference, and the socket closes when the last one is released.
/// </summary>
/// <remarks>Thread-safe. <see cref="_lock"/> guards the connection table, the listener and the counts; it is never held
/// while a connection's own lock is taken.</remarks>
internal sealed unsafe partial class QuicEndpoint
{
    private const int DatagramBytesMax = 65536;

    private readonly Socket _socket;
    private readonly Lock _lock = new();
    /// <summary>Connections by every connection ID they issued (and, for a new server connection, the client's
    /// original destination ID).</summary>
    private readonly Dictionary<CidKey, QuicConnection> _connections = [];
    /// <summary>Pinned: native code reads datagrams straight from it.</summary>
    private readonly byte[] _receiveBuffer = GC.AllocateArray<byte>(DatagramBytesMax, pinned: true);
    /// <summary>Pinned scratch space for stateless resets, used only by the receive loop.</summary>
    private readonly byte[] _resetBuffer = GC.AllocateArray<byte>(64, pinned: true);
    /// <summary>Pinned scratch space for Retry packets and token refusals, used only by the receive loop.</summary>
    private readonly byte[] _controlBuffer = GC.AllocateArray<byte>(1500, pinned: true);
    /// <summary>Pinned secret that Retry tokens are sealed with.</summary>
    private readonly byte[] _tokenSecret = GC.AllocateArray<byte>(32, pinned: true);
    private readonly SocketAddress _from;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<QuicEndpoint>? _onClosed;
    private Task _receiveLoop = Task.CompletedTask;
    private QuicListenerState? _listener;
    private int _references;
    private int _halfOpen;
    private int _retriesSent;
    /// <summary>Servers that a client connection on this socket is dialing or connected to.</summary>
    private readonly HashSet<IPEndPoint> _dialed = [];
    private int _tokensRefused;
    private bool _closed;
    private bool _halfOpenLogged;

    private QuicEndpoint(Socket socket, QuicTransportContext context, Action<QuicEndpoint>? onClosed)
    {
        _socket = socket;
        Context = context;
        _onClosed = onClosed;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        LocalAddress = HostPort.Format("udp", EndPoint);
        _from = new SocketAddress(EndPoint.AddressFamily);
        ResetSecret = GC.AllocateArray<byte>(32, pinned: true);
        RandomNumberGenerator.Fill(ResetSecret);
        RandomNumberGenerator.Fill(_tokenSecret);
        LocalSocketAddress = NativeSocketAddress.Allocate(EndPoint);
    }

    public QuicTransportContext Context { get; }

    public IPEndPoint EndPoint { get; }

    public string LocalAddress { get; }

    /// <summary>The bound address in native <c>sockaddr</c> form, for ngtcp2 paths; freed when the last reference
    /// goes (every connection pointing at it has closed by then).</summary>
    public NativeSocketAddress LocalSocketAddress { get; }

    /// <summary>Secret from which stateless reset tokens are derived (pinned).</summary>
    public byte[] ResetSecret { get; }

    /// <summary>Binds a UDP socket and starts its receive loop, holding one reference for the caller.</summary>
    /// <exception cref="RpcTransportException">The address cannot be bound.</exception>
    public static QuicEndpoint Bind(IPEndPoint address, QuicTransportContext context,
        Action<QuicEndpoint>? onClosed)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(address);
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RpcTransportException($"Cannot bind UDP {address}: {e.Message}", e);
        }
        var endpoint = new QuicEndpoint(socket, context, onClosed) { _references = 1 };
        endpoint._receiveLoop = Task.Factory.StartNew(static s => ((QuicEndpoint)s!).ReceiveLoopAsync(), endpoint,
            CancellationToken.None, TaskCreationOptions.DenyChildAttach, context.Environment.TaskScheduler).Unwrap();
        return endpoint;
    }

    /// <summary>Takes a reference unless the endpoint has already closed.</summary>
    public bool TryAddReference()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }
            _references++;
            return true;
        }
    }

    /// <summary>Drops a reference; the last one closes the socket. Returns the receive loop's task when this call closed
    /// it (a disposer awaits it), otherwise a completed task.</summary>
    public Task Release()
    {
        lock (_lock)
        {
            if (--_references > 0 || _closed)
            {
                return Task.CompletedTask;
            }
            _closed = true;
        }
        _stop.Cancel();
        _socket.Dispose();
        _onClosed?.Invoke(this);
        return FreeAfterLoopAsync();
    }

    /// <summary>Whether the socket is closed (for tests: clean shutdown leaves no socket open).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    /// <summary>Server connections whose handshake is unfinished (for tests).</summary>
    internal int HalfOpenCount
    {
        get
        {
            lock (_lock)
            {
                return _halfOpen;
            }
        }
    }

    /// <summary>Retry packets sent (for tests).</summary>
    internal int RetriesSent => Volatile.Read(ref _retriesSent);

    /// <summary>Initial packets whose Retry token was refused (for tests).</summary>
    internal int TokensRefused => Volatile.Read(ref _tokensRefused);

    /// <summary>Starts accepting new connections into <paramref name="listener"/>.</summary>
    /// <exception cref="RpcTransportException">Another listener is already attached.</exception>
    public void Attach(QuicListenerState listener)
    {
        lock (_lock)
        {
            if (_listener is not null)
            {
                throw new RpcTransportException($"{LocalAddress} already has a QUIC listener.");
            }
            _listener = listener;
        }
    }

    /// <summary>Stops accepting new connections.</summary>
    public void Detach(QuicListenerState listener)
    {
        lock (_lock)
        {
            if (_listener == listener)
            {
                _listener = null;
            }
        }
    }

    public void Register(CidKey cid, QuicConnection connection)
    {
        lock (_lock)
        {
            _connections[cid] = connection;
        }
    }

    public void Unregister(CidKey cid, QuicConnection connection)
    {
        lock (_lock)
        {
            if (_connections.TryGetValue(cid, out QuicConnection? current) && current == connection)
            {
                _connections.Remove(cid);
            }
        }
    }

    /// <summary>A server connection finished (or abandoned) its handshake: it no longer counts as half-open.</summary>
    public void HalfOpenEnded()
    {
        lock (_lock)
        {
            _halfOpen--;
            if (_halfOpen < Context.Options.MaxHalfOpenConnections / 2)
            {
                _halfOpenLogged = false;
            }
        }
    }

    /// <summary>Claims <paramref name="remote"/> for a client connection on this socket; false when one already has
    /// it. A server tells clients apart by address, so two clients on one socket must not reach the same server (its
    /// <c>Connections</c> would list one address for both, and a push by address would reach only one).</summary>
    public bool TryBeginDial(IPEndPoint remote)
    {
        lock (_lock)
        {
            return _dialed.Add(remote);
        }
    }

    /// <summary>The client connection to <paramref name="remote"/> on this socket has closed.</summary>
    public void EndDial(IPEndPoint remote)
    {
        lock (_lock)
        {
            _dialed.Remove(remote);
        }
    }

    /// <summary>Sends one datagram. A failure is logged and left to QUIC's loss recovery.</summary>
    public void Send(ReadOnlySpan<byte> datagram, SocketAddress remote, string remoteAddress)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, remote);
        }
        catch (SocketException e)
        {
            QuicLog.SendFailed(Context.Logger, remoteAddress, e.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            // The socket closed while this connection was still sending its last packets.
        }
    }


    /// <summary>Hands one datagram to its connection, starts a server connection, or drops it.</summary>
    private void Dispatch(int length)
    {
        if (length == 0)
        {
            return; // ngtcp2 asserts on an empty packet (found by the garbage-datagram test).
        }
        fixed (byte* data = _receiveBuffer)
        {
            NgVersionCid header;
            if (Ngtcp2.DecodeVersionCid(&header, data, (nuint)length, CidKey.IssuedLength) != 0)
            {
                return;
            }
            var key = CidKey.From(new ReadOnlySpan<byte>(header.Dcid, (int)header.DcidLength));
            QuicConnection? connection;
            QuicListenerState? listener;
            lock (_lock)
            {
                _connections.TryGetValue(key, out connection);
                listener = _listener;
            }
            if (connection is not null)
            {
                connection.OnDatagram(data, length, _from);
                return;
            }
            bool longHeader = (data[0] & 0x80) != 0;
            if (longHeader)
            {
                if (listener is not null)
                {
                    AcceptInitial(data, length, listener);
                }
                return;
            }
            SendStatelessReset(data, length, header);
        }
    }

    /// <summary>A client's Initial for no known connection: checks its Retry token if it has one, asks it to prove its
    /// address with a Retry when <see cref="QuicOptions.AddressValidation"/> says so, or starts a server connection
    /// while a half-open slot is free.</summary>
    private void AcceptInitial(byte* data, int length, QuicListenerState listener)
    {
        NgPacketHeader header;
        if (Ngtcp2.Accept(&header, data, (nuint)length) != 0)
        {
            return;
        }
        var remote = (IPEndPoint)EndPoint.Create(_from);
        byte* remoteNative = stackalloc byte[28];
        NativeSocketAddress.Write(remote, new Span<byte>(remoteNative, 28), out uint remoteLength);
        NgCid originalDcid = default;
        // Only our own Retry tokens count; any other token (we send no NEW_TOKEN) is ignored (RFC 9000 §8.1.3).
        bool validated = header.Token.Length > 0 && header.Token.Base[0] == Ngtcp2Crypto.RetryTokenMagic;
        if (validated && !VerifyRetryToken(&header, remoteNative, remoteLength, &originalDcid))
        {
            RefuseToken(&header, remote);
            return;
        }
        QuicOptions options = Context.Options;
        bool retry;
        lock (_lock)
        {
            retry = !validated && options.AddressValidation switch
            {
                QuicAddressValidation.Always => true,
                QuicAddressValidation.WhenBusy => _halfOpen >= options.MaxHalfOpenConnections / 2,
                _ => false,
            };
            if (!retry)
            {
                if (_halfOpen >= options.MaxHalfOpenConnections)
                {
                    if (!_halfOpenLogged)
                    {
                        _halfOpenLogged = true;
                        QuicLog.HalfOpenLimit(Context.Logger, LocalAddress, _halfOpen);
                    }
                    return;
                }
                _halfOpen++;
                _references++;
            }
        }
        if (retry)
        {
            SendRetry(&header, remoteNative, remoteLength);
            return;
        }
        QuicConnection connection;
        try
        {
            connection = QuicConnection.CreateServer(this, listener, remote, &header, validated ? &originalDcid : null);
        }
        catch (Exception e) when (e is RpcException or ArgumentException or SocketException)
        {
            HalfOpenEnded();
            _ = Release();
            QuicLog.HandshakeFailed(Context.Logger, HostPort.Format("udp", remote), e.Message);
            return;
        }
        connection.OnDatagram(data, length, _from);
    }

    private bool VerifyRetryToken(NgPacketHeader* header, byte* remote, uint remoteLength, NgCid* originalDcid)
    {
        fixed (byte* secret = _tokenSecret)
        {
            return Ngtcp2Crypto.VerifyRetryToken(originalDcid, header->Token.Base, header->Token.Length, secret,
                (nuint)_tokenSecret.Length, header->Version, remote, remoteLength, &header->Dcid,
                QuicConnection.Nanoseconds(Context.Options.RetryTokenLifetime), Context.Now()) == 0;
        }
    }

    /// <summary>Answers an Initial with a Retry packet carrying a token sealed with our secret, the client's address,
    /// its first destination ID and the time (RFC 9000 §8.1.2); no state is kept. The Retry is smaller than the
    /// Initial (at least 1,200 bytes), so it cannot amplify a forged source's traffic.</summary>
    private void SendRetry(NgPacketHeader* header, byte* remote, uint remoteLength)
    {
        NgCid retryScid = QuicConnection.RandomCid();
        byte* token = stackalloc byte[Ngtcp2Crypto.MaxRetryTokenLength];
        fixed (byte* secret = _tokenSecret)
        fixed (byte* output = _controlBuffer)
        {
            nint tokenLength = Ngtcp2Crypto.GenerateRetryToken(token, secret, (nuint)_tokenSecret.Length,
                header->Version, remote, remoteLength, &retryScid, &header->Dcid, Context.Now());
            if (tokenLength < 0)
            {
                return;
            }
            nint written = Ngtcp2Crypto.WriteRetry(output, (nuint)_controlBuffer.Length, header->Version,
                &header->Scid, &retryScid, &header->Dcid, token, (nuint)tokenLength);
            if (written > 0)
            {
                Interlocked.Increment(ref _retriesSent);
                Send(new ReadOnlySpan<byte>(output, (int)written), _from, "");
            }
        }
    }

    /// <summary>Closes the handshake of an Initial whose Retry token is forged, expired or from another address with
    /// INVALID_TOKEN, without keeping state, so the client fails at once instead of waiting out its timeout.</summary>
    private void RefuseToken(NgPacketHeader* header, IPEndPoint remote)
    {
        Interlocked.Increment(ref _tokensRefused);
        QuicLog.RetryTokenRefused(Context.Logger, LocalAddress, HostPort.Format("udp", remote));
        fixed (byte* output = _controlBuffer)
        {
            nint written = Ngtcp2Crypto.WriteConnectionClose(output, (nuint)_controlBuffer.Length, header->Version,
                &header->Scid, &header->Dcid, Ngtcp2.InvalidTokenError, null, 0);
            if (written > 0)
            {
                Send(new ReadOnlySpan<byte>(output, (int)written), _from, "");
            }
        }
    }

    /// <summary>Answers a short-header packet for an unknown connection with a stateless reset (RFC 9000 §10.3), so a
    /// peer whose connection we forgot learns it at once. The reset is smaller than the packet that caused it, so two
    /// endpoints cannot keep resetting each other.</summary>
    private void SendStatelessReset(byte* data, int length, NgVersionCid header)
    {
        const int MinimumReset = 41;
        if (length <= MinimumReset || header.DcidLength != CidKey.IssuedLength)
        {
            return;
        }
        int size = Math.Min(length - 1, _resetBuffer.Length);
        NgCid cid = NgCid.From(new ReadOnlySpan<byte>(header.Dcid, (int)header.DcidLength));
        byte* token = stackalloc byte[16];
        byte* random = stackalloc byte[size];
        RandomNumberGenerator.Fill(new Span<byte>(random, size));
        fixed (byte* secret = ResetSecret)
        fixed (byte* output = _resetBuffer)
        {
            if (Ngtcp2Crypto.GenerateStatelessResetToken(token, secret, (nuint)ResetSecret.Length, &cid) != 0)
            {
                return;
            }
            nint written = Ngtcp2.WriteStatelessReset(output, (nuint)size, token, random, (nuint)(size - 16 - 1));
            if (written > 0)
            {
                Send(new ReadOnlySpan<byte>(output, (int)written), _from, "");
            }
        }
    }
}

/// <summary>What a listener's endpoint needs from it: where accepted connections go.</summary>
internal sealed class QuicListenerState(int capacity)
{
    public Channel<QuicConnection> Accepted { get; } = Channel.CreateBounded<QuicConnection>(
        new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
}
