using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// Inputs the fuzzer found (tests/fuzz-corpus/regressions, here as hex so this project stands alone), framed and sent
/// to a running server over real TCP: each closes only its own connection, with the typed violation as the close
/// reason and in the log (never "Bug: the reader loop … failed"), while a good client keeps being served.
/// </summary>
public sealed class FuzzFindingsOverTcpTests
{
    private const int MaxFrameBytes = 1024 * 1024;

    public static TheoryData<string, byte, string, ProtocolViolation> Findings() => new()
    {
        { "skip-truncated-value", 0, "8105dbd7810a66", ProtocolViolation.UndecodableBody },
        { "string-past-end", 0, "82008503a46563686f08dbffa66361", ProtocolViolation.UndecodableBody },
        { "name-slice-past-end", 0, "82008503a46563686f08a268a663616c6c2d3101dbb8bf906f",
            ProtocolViolation.UndecodableBody },
        { "timestamp-beyond-datetime", 0, "81008100c70cff000000007fffffffffffffff", ProtocolViolation.UndecodableBody },
        { "deep-nesting", 0, "82008063" + string.Concat(Enumerable.Repeat("91", 5000)) + "c0",
            ProtocolViolation.UndecodableBody },
        { "snappy-varint-declares-gigabytes", 1, "000095ace5e021a1", ProtocolViolation.BadCompression },
        { "lz4-declared-length-beyond-ratio", 2,
            "00040121ff138200850bb46563686f08a2686809010a010ba663616c6c2d3101c4050000007f6f000100e7500000000000",
            ProtocolViolation.BadCompression },
        { "zstd-body-string-past-end", 3,
            "0000071e28b52ffd601e068d0100840282008403a46563686f09030a010bdbdf010000c50708636f6d707265737369626c652074" +
            "65787420010098b7fe5906", ProtocolViolation.UndecodableBody },
    };

    [Theory]
    [MemberData(nameof(Findings))]
    public async Task A_fuzz_finding_closes_only_its_connection_with_a_typed_reason(string name, byte compression,
        string bodyHex, ProtocolViolation expected)
    {
        var log = new ListLoggerProvider();
        var closed = new ConcurrentDictionary<string, Exception?>();
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, c =>
        {
            c.MaxFrameBytes = MaxFrameBytes;
            c.LoggerFactory = log;
        });
        await using var _ = server;
        server.ClientDisconnected += (_, e) => closed[e.RemoteAddress] = e.CloseReason;
        await using RpcClient good = await Loopback.ConnectAsync(port);
        Assert.Equal("before", (await good.CallAsync(Loopback.Request("echo", "before"))).Text());

        byte[] body = Convert.FromHexString(bodyHex);
        byte[] frame = new byte[FrameHeader.Size + body.Length];
        FrameHeader.Write(frame, compression, body.Length);
        body.CopyTo(frame, FrameHeader.Size);
        using var bad = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await bad.ConnectAsync(IPAddress.Loopback, port);
        string badAddress = $"tcp://{bad.LocalEndPoint}";
        await bad.SendAsync(frame);

        await BadInputTests.AssertClosedByServer(bad);
        Exception? reason = await BadInputTests.WaitForClose(closed, badAddress);
        RpcProtocolException violation = Assert.IsType<RpcProtocolException>(reason);
        Assert.True(expected == violation.Violation, $"{name}: {violation.Violation}: {violation.Message}");
        await log.WaitForAsync(m => m.Contains($"protocol violation {expected}", StringComparison.Ordinal)
                                    && m.Contains(badAddress, StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("Bug:", StringComparison.Ordinal));
        Assert.Equal("after", (await good.CallAsync(Loopback.Request("echo", "after"))).Text());
        Assert.True(good.IsConnected);
    }
}
