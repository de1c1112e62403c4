using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Rpc25519.Transport;

namespace Rpc25519.Tests.Security;

[Collection("Security")]
public sealed class TlsRecordLayerTests
{
    private static (TlsRecordLayer Client, TlsRecordLayer Server) Pair(ulong clientSeq = 0, ulong serverSeq = 1)
    {
        byte[] k1 = RandomNumberGenerator.GetBytes(32), iv1 = RandomNumberGenerator.GetBytes(12);
        byte[] k2 = RandomNumberGenerator.GetBytes(32), iv2 = RandomNumberGenerator.GetBytes(12);
        return (new TlsRecordLayer((byte[])k1.Clone(), iv1, clientSeq, (byte[])k2.Clone(), iv2, serverSeq),
            new TlsRecordLayer((byte[])k2.Clone(), iv2, serverSeq, (byte[])k1.Clone(), iv1, clientSeq));
    }

    [Fact]
    public void SealedRecords_OpenInOrder_AndRejectTamperReplayAndReorder()
    {
        var (client, server) = Pair();
        byte[] first = Seal(client, "one"u8);
        byte[] second = Seal(client, "two"u8);
        byte[] plain = new byte[first.Length];
        Assert.Equal(3, server.Open(first, plain));
        Assert.Equal("one"u8.ToArray(), plain[..3]);
        // Replaying the first record (its sequence number is used up) fails.
        var replay = Assert.Throws<TlsFatalAlert>(() => server.Open(first, plain));
        Assert.Equal(AlertDescription.bad_record_mac, replay.AlertDescription);

        var (c2, s2) = Pair();
        byte[] a = Seal(c2, "a"u8);
        byte[] b = Seal(c2, "b"u8);
        Assert.Throws<TlsFatalAlert>(() => s2.Open(b, new byte[b.Length])); // reordered
        var (c3, s3) = Pair();
        byte[] tampered = Seal(c3, "hello"u8);
        tampered[7] ^= 1;
        Assert.Throws<TlsFatalAlert>(() => s3.Open(tampered, new byte[tampered.Length]));
        GC.KeepAlive(second);
        GC.KeepAlive(a);
    }

    /// <summary>The record layer seals small records with libsodium and large ones with .NET: either way it must produce
    /// exactly RFC 8446 records, checked against .NET's ChaCha20-Poly1305 both ways (nonce = IV xor sequence number,
    /// header as associated data, content type after the data, tag at the end), on both sides of the size switch,
    /// since two peers of ours would agree with each other even on a wrong format.</summary>
    [Theory]
    [InlineData(100)]
    [InlineData(TlsRecordLayer.SmallRecordBytes - 1)]
    [InlineData(TlsRecordLayer.SmallRecordBytes)]
    [InlineData(3000)]
    public void Records_MatchAnIndependentChaCha20Poly1305_BothWays(int size)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32), iv = RandomNumberGenerator.GetBytes(12);
        const ulong sequence = 5;
        var layer = new TlsRecordLayer((byte[])key.Clone(), iv, sequence, (byte[])key.Clone(), iv, sequence);
        byte[] nonce = (byte[])iv.Clone();
        for (int i = 0; i < 8; i++)
        {
            nonce[4 + i] ^= (byte)(sequence >> (8 * (7 - i)));
        }
        using var reference = new ChaCha20Poly1305(key);
        int inner = size + 1;

        // Ours sealed (in place, as the writer does), theirs opens.
        byte[] record = new byte[size + TlsRecordLayer.OverheadBytes];
        byte[] message = RandomNumberGenerator.GetBytes(size);
        message.CopyTo(record, TlsRecordLayer.HeaderBytes);
        Assert.Equal(record.Length, layer.SealInPlace(record, size));
        byte[] opened = new byte[inner];
        reference.Decrypt(nonce, record.AsSpan(5, inner), record.AsSpan(5 + inner, 16), opened, record.AsSpan(0, 5));
        Assert.Equal(message, opened[..size]);
        Assert.Equal(23, opened[size]);

        // Theirs sealed, ours opens.
        byte[] theirs = new byte[record.Length];
        record.AsSpan(0, 5).CopyTo(theirs);
        reference.Encrypt(nonce, opened, theirs.AsSpan(5, inner), theirs.AsSpan(5 + inner, 16), theirs.AsSpan(0, 5));
        Assert.Equal(record, theirs);
        byte[] plain = new byte[theirs.Length];
        Assert.Equal(size, layer.Open(theirs, plain));
        Assert.Equal(message, plain[..size]);

        // A flipped tag bit fails as before, on either implementation.
        theirs[^1] ^= 1;
        var layer2 = new TlsRecordLayer((byte[])key.Clone(), iv, sequence, (byte[])key.Clone(), iv, sequence);
        Assert.Equal(AlertDescription.bad_record_mac,
            Assert.Throws<TlsFatalAlert>(() => layer2.Open(theirs, plain)).AlertDescription);
    }

    [Fact]
    public void CloseNotify_MarksPeerClosed()
    {
        var (client, server) = Pair();
        byte[] record = new byte[64];
        int length = client.SealCloseNotify(record);
        Assert.Equal(0, server.Open(record.AsSpan(0, length), new byte[64]));
        Assert.True(server.PeerClosed);
    }

    [Fact]
    public void OversizedRecordHeader_IsRejected()
    {
        Assert.Throws<TlsFatalAlert>(() => TlsRecordLayer.RecordLength([23, 3, 3, 0xFF, 0xFF]));
        Assert.Equal(5 + 100, TlsRecordLayer.RecordLength([23, 3, 3, 0, 100]));
    }

    private static byte[] Seal(TlsRecordLayer layer, ReadOnlySpan<byte> plain)
    {
        byte[] output = new byte[plain.Length + TlsRecordLayer.OverheadBytes];
        Assert.Equal(output.Length, layer.Seal(plain, output));
        return output;
    }
}
