using System.Buffers;
using System.Buffers.Binary;
using Rpc25519.Compression;
using Rpc25519.Fuzz;
using Rpc25519.Messages;
using Rpc25519.Security;

namespace Rpc25519.Fuzz.Tests;

/// <summary>
/// Each input the fuzzer found (minimized, under <c>tests/fuzz-corpus/regressions/TARGET/</c>) or that its findings
/// pointed at, with the typed failure it must end in now. Before the fixes these threw
/// ArgumentOutOfRangeException / FormatException / BouncyCastle exceptions, or allocated what a length field declared.
/// </summary>
public sealed class RegressionTests
{
    // ---- message bodies (MessagePack) -------------------------------------------------------------------------

    [Fact]
    public void Skipping_an_unknown_value_that_runs_past_the_body_is_an_undecodable_body()
    {
        // Was ArgumentOutOfRangeException ('count') from MessagePackReader.Skip.
        AssertViolation(ProtocolViolation.UndecodableBody, () => Targets.Message(Regression("message", "skip-truncated-value")));
    }

    [Fact]
    public void A_header_string_that_runs_past_the_body_is_an_undecodable_body()
    {
        // Was ArgumentOutOfRangeException from MessagePackReader.ReadString on a segmented body.
        AssertViolation(ProtocolViolation.UndecodableBody, () => Targets.Message(Regression("message", "string-past-end")));
    }

    [Fact]
    public void A_service_name_that_runs_past_the_body_is_an_undecodable_body()
    {
        // Was ArgumentOutOfRangeException ('length') from ReadOnlySequence.Slice under DecodeContext.ReadName.
        AssertViolation(ProtocolViolation.UndecodableBody, () => Targets.Message(Regression("message", "name-slice-past-end")));
    }

    [Fact]
    public void A_decompressed_body_with_a_string_past_its_end_is_an_undecodable_body()
    {
        AssertViolation(ProtocolViolation.UndecodableBody,
            () => Targets.FrameBody((byte)CompressionAlgo.Zstd03, Regression("frame-zstd", "body-string-past-end")));
    }

    [Fact]
    public void A_string_declaring_two_gigabytes_in_a_segmented_body_is_refused_without_renting_them()
    {
        // {0: {3: str32 of 0x7FFFFFF0 bytes}} followed by a few bytes: the reader rented the declared length to join
        // the segments before noticing that the bytes were not there (2 GB per frame).
        byte[] body = [0x81, 0x00, 0x81, 0x03, 0xDB, 0x7F, 0xFF, 0xFF, 0xF0, .. "abcdefgh"u8];
        long allocated = Allocated(() =>
            AssertViolation(ProtocolViolation.UndecodableBody, () => Targets.Message(body)));
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Deeply_nested_unknown_values_are_refused_before_the_recursive_skip()
    {
        // {0: {}, 99: [[[[...]]]]} ten thousand deep: MessagePackReader.Skip recurses once per level.
        byte[] body = [0x82, 0x00, 0x80, 0x63, .. Enumerable.Repeat((byte)0x91, 10_000), 0xC0];
        RpcProtocolException e = AssertViolation(ProtocolViolation.UndecodableBody, () => Targets.Message(body));
        Assert.Contains("nest", e.Message);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_still_accepted()
    {
        int levels = MessagePackShape.MaxDepth - 1; // the message map is one level
        byte[] body = [0x82, 0x00, 0x80, 0x63, .. Enumerable.Repeat((byte)0x91, levels), 0xC0];
        Message message = MessageCodec.Decode(new ReadOnlySequence<byte>(body));
        Assert.Equal(CallType.None, message.Header.CallType);
    }

    [Theory]
    [InlineData(0)] // Created
    [InlineData(12)] // Deadline
    public void A_timestamp_beyond_DateTime_is_an_undecodable_body(int key)
    {
        // timestamp96: nanoseconds 0, seconds long.MaxValue. Was ArgumentOutOfRangeException from DateTime arithmetic.
        byte[] ext = new byte[15];
        ext[0] = 0xC7;
        ext[1] = 12;
        ext[2] = 0xFF;
        BinaryPrimitives.WriteInt64BigEndian(ext.AsSpan(7), long.MaxValue);
        byte[] body = [0x81, 0x00, 0x81, (byte)key, .. ext];
        AssertViolation(ProtocolViolation.UndecodableBody, () => Targets.Message(body));
    }

    // ---- compressed bodies ------------------------------------------------------------------------------------

    [Fact]
    public void A_snappy_block_whose_own_length_says_gigabytes_is_bad_compression_without_allocating_them()
    {
        // Snappier allocated what the block's varint declared (1.2 GB for these 8 bytes) before failing.
        byte[] body = Regression("frame-snappy", "snappy-varint-declares-gigabytes");
        long allocated = Allocated(() =>
            AssertViolation(ProtocolViolation.BadCompression,
                () => Targets.FrameBody((byte)CompressionAlgo.Snappy, body)));
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void An_lz4_body_declaring_more_than_its_block_can_expand_to_is_refused_before_renting()
    {
        byte[] body = Regression("frame-lz4", "declared-length-beyond-ratio");
        long allocated = Allocated(() =>
            AssertViolation(ProtocolViolation.BadCompression, () => Targets.FrameBody((byte)CompressionAlgo.Lz4, body)));
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(CompressionAlgo.Snappy)]
    [InlineData(CompressionAlgo.Lz4)]
    [InlineData(CompressionAlgo.Zstd07)]
    public void A_tiny_body_that_declares_the_frame_limit_is_refused_before_renting_it(CompressionAlgo algo)
    {
        byte[] body = Seeds.Compress(algo, Seeds.Encode(new Message(new MessageHeader { Subject = "x" })));
        BinaryPrimitives.WriteInt32BigEndian(body, Targets.MaxFrameBytes);
        long allocated = Allocated(() =>
            AssertViolation(ProtocolViolation.BadCompression, () => Targets.FrameBody((byte)algo, body)));
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(CompressionAlgo.Snappy)]
    [InlineData(CompressionAlgo.Lz4)]
    [InlineData(CompressionAlgo.Zstd01)]
    [InlineData(CompressionAlgo.Zstd11)]
    public void Highly_compressible_bodies_still_decode(CompressionAlgo algo)
    {
        // The plausibility bounds must not refuse what our own compressor makes of repetitive data.
        var message = new Message(new MessageHeader { CallType = CallType.Call }) { Payload = new byte[900_000] };
        Targets.FrameBody((byte)algo, Seeds.Compress(algo, Seeds.Encode(message)));
    }

    // ---- files and certificates -------------------------------------------------------------------------------

    [Fact]
    public void A_peer_certificate_with_an_unknown_key_algorithm_is_rejected_not_thrown()
    {
        // Was SecurityUtilityException out of CertificateChecker.Check (the TLS handshake's peer check).
        byte[] der = Regression("certificate-der", "unknown-key-algorithm");
        var e = Assert.Throws<CertificateRejectedException>(() => Targets.CertificateDer(der));
        Assert.Contains("cannot be parsed", e.Message);
    }

    [Fact]
    public void A_certificate_file_with_an_unparsable_key_fails_where_it_is_read()
    {
        byte[] der = Regression("certificate-der", "unknown-key-algorithm");
        string pem = new PemBlock("CERTIFICATE", [], der).Encode();
        var e = Assert.Throws<RpcException>(() => CertificateChecker.ParsePem(pem, "bad.crt"));
        Assert.Contains("bad.crt", e.Message);
    }

    [Fact]
    public void A_key_file_whose_body_is_not_base64_is_an_RpcException()
    {
        // Was FormatException from PemBlock.ParseAll.
        var e = Assert.Throws<RpcException>(() => Targets.KeyFile(
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"u8));
        Assert.Contains("not a valid PEM", e.Message);
    }

    [Theory]
    [InlineData("Argon2id.Salt: zz00112233445566")] // was FormatException from Convert.FromHexString
    [InlineData("Argon2id.Threads: 0")] // was ArgumentException from Argon2Settings.Validate
    [InlineData("Argon2id.Memory: 100000")] // over the bound the caller set: refused before Argon2 runs
    public void A_damaged_encrypted_key_file_is_an_RpcException(string replacement)
    {
        string text = Targets.Text(File.ReadAllBytes(Path.Combine(Corpus.Root, "key-file", "seed-01")));
        string name = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        string[] lines = text.Split('\n');
        int at = Array.FindIndex(lines, l => l.StartsWith(name, StringComparison.Ordinal));
        Assert.True(at >= 0, $"seed has no {name} header");
        lines[at] = replacement;
        Assert.Throws<RpcException>(() => Targets.KeyFile(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    [Fact]
    public void The_encrypted_key_seed_still_opens()
    {
        Targets.KeyFile(File.ReadAllBytes(Path.Combine(Corpus.Root, "key-file", "seed-01")));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static byte[] Regression(string target, string name)
    {
        string path = Path.Combine(Corpus.Root, "regressions", target, name);
        Assert.True(File.Exists(path), $"missing regression input {path}");
        return File.ReadAllBytes(path);
    }

    private static RpcProtocolException AssertViolation(ProtocolViolation expected, Action decode)
    {
        var e = Assert.Throws<RpcProtocolException>(decode);
        Assert.Equal(expected, e.Violation);
        return e;
    }

    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
