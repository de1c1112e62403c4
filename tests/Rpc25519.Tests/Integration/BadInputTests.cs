using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MessagePack;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// Bytes that break the protocol close only the connection that sent them, with a typed reason, while a
/// well-behaved client on the same server keeps working before and after.
/// </summary>
public sealed class BadInputTests
{
    private const int MaxFrameBytes = 64 * 1024;

    public static TheoryData<string, ProtocolViolation> Cases() => new()
    {
        { "random-bytes", ProtocolViolation.BadMagic },
        { "wrong-magic", ProtocolViolation.BadMagic },
        { "wrong-version", ProtocolViolation.UnsupportedVersion },
        { "reserved-bits", ProtocolViolation.ReservedBitsSet },
        { "length-over-limit", ProtocolViolation.FrameTooLarge },
        { "truncated-frame", ProtocolViolation.TruncatedFrame },
        { "undecodable-body", ProtocolViolation.UndecodableBody },
        { "unknown-call-type", ProtocolViolation.UndecodableBody },
        { "unknown-compression", ProtocolViolation.BadCompression },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_bytes_close_only_their_own_connection(string kind, ProtocolViolation expected)
    {
        var closed = new ConcurrentDictionary<string, Exception?>();
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, c => c.MaxFrameBytes = MaxFrameBytes);
        await using var _ = server;
        server.ClientDisconnected += (_, e) => closed[e.RemoteAddress] = e.CloseReason;
        await using RpcClient good = await Loopback.ConnectAsync(port);
        Assert.Equal("before", (await good.CallAsync(Loopback.Request("echo", "before"))).Text());

        using var bad = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await bad.ConnectAsync(IPAddress.Loopback, port);
        string badAddress = $"tcp://{bad.LocalEndPoint}";
        await bad.SendAsync(BadBytes(kind));
        if (kind == "truncated-frame")
        {
            bad.Shutdown(SocketShutdown.Send);
        }

        await AssertClosedByServer(bad);
        Exception? reason = await WaitForClose(closed, badAddress);
        RpcProtocolException violation = Assert.IsType<RpcProtocolException>(reason);
        Assert.Equal(expected, violation.Violation);
        Assert.Equal("after", (await good.CallAsync(Loopback.Request("echo", "after"))).Text());
        Assert.True(good.IsConnected);
    }

    [Fact]
    public async Task A_client_that_connects_and_sends_nothing_is_closed_when_dead_detection_is_on_and_harms_no_one()
    {
        var closed = new ConcurrentDictionary<string, Exception?>();
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo,
            c => c.DeadConnectionTimeout = TimeSpan.FromSeconds(2));
        await using var _ = server;
        server.ClientDisconnected += (_, e) => closed[e.RemoteAddress] = e.CloseReason;
        // Keep-alives 40 times as often as the dead timeout, so that a loaded CI machine cannot starve them.
        await using RpcClient good = await Loopback.ConnectAsync(port,
            c => c.ClientKeepAliveInterval = TimeSpan.FromMilliseconds(50));

        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent.ConnectAsync(IPAddress.Loopback, port);
        Assert.Equal("during", (await good.CallAsync(Loopback.Request("echo", "during"))).Text());

        await AssertClosedByServer(silent);
        Exception? reason = await WaitForClose(closed, $"tcp://{silent.LocalEndPoint}");
        Assert.Contains("DeadConnectionTimeout", reason!.Message);
        Assert.Equal("after", (await good.CallAsync(Loopback.Request("echo", "after"))).Text());
    }

    private static byte[] BadBytes(string kind)
    {
        switch (kind)
        {
            case "random-bytes":
                byte[] noise = new byte[64];
                new Random(42).NextBytes(noise);
                noise[0] = 0x00;
                return noise;
            case "wrong-magic":
                return [0xB3, 0x5D, 0x18, 0x39, 1, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];
            case "wrong-version":
                return Header(version: 9, length: 1);
            case "reserved-bits":
                return Header(reserved: 1, length: 1);
            case "length-over-limit":
                return Header(length: MaxFrameBytes + 1);
            case "truncated-frame":
                return [.. Header(length: 100), .. new byte[10]];
            case "undecodable-body":
                return [.. Header(length: 3), 0xC1, 0xC1, 0xC1];
            case "unknown-call-type":
                byte[] body = EncodeHdrWithType(55);
                return [.. Header(length: body.Length), .. body];
            case "unknown-compression":
                return [.. Header(compression: 200, length: 1), 0x80];
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static byte[] Header(int length, byte version = FrameHeader.CurrentVersion, byte compression = 0,
        byte reserved = 0)
    {
        byte[] header = new byte[FrameHeader.Size];
        FrameHeader.Write(header, compression, length);
        header[4] = version;
        header[6] = reserved;
        return header;
    }

    private static byte[] EncodeHdrWithType(int type)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write(0);
        writer.WriteMapHeader(1);
        writer.Write(10);
        writer.Write(type);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads until the server closes <paramref name="socket"/> (or resets it).</summary>
    internal static async Task AssertClosedByServer(Socket socket)
    {
        byte[] sink = new byte[1024];
        using var timeout = new CancellationTokenSource(Loopback.Patience);
        try
        {
            while (await socket.ReceiveAsync(sink, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset is a close too.
        }
    }

    /// <summary>Waits until the server reports closing <paramref name="address"/>; returns the reason.</summary>
    internal static async Task<Exception?> WaitForClose(ConcurrentDictionary<string, Exception?> closed, string address)
    {
        DateTime giveUp = DateTime.UtcNow + Loopback.Patience;
        while (!closed.ContainsKey(address))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"Server never reported closing {address}.");
            await Task.Delay(10);
        }
        return closed[address];
    }
}
