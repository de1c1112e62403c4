using System.Text;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Tests.Hashing;

public class ChunkHashTests
{
    [Fact]
    public void Blake3_vectors_match()
    {
        Assert.Equal("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", ChunkHash.Empty.ToString());
        string hello = ChunkHash.Of(Encoding.ASCII.GetBytes("hello world!")).ToString();
        Assert.StartsWith("3aa61c40", hello);
        Assert.EndsWith("534e9d", hello);
    }

    [Fact]
    public void File_digest_is_blake3_over_length_and_1_MiB_block_digests()
    {
        byte[] data = new byte[(5 * FileHasher.BlockSize / 2) + 7];
        new Random(8).NextBytes(data);
        var expected = new List<byte>(BitConverter.GetBytes((long)data.Length));
        var leaves = new List<byte>();
        for (int off = 0; off < data.Length; off += FileHasher.BlockSize)
        {
            leaves.AddRange(ChunkHash.Of(data.AsSpan(off, Math.Min(FileHasher.BlockSize, data.Length - off))).ToArray());
        }
        expected.AddRange(ChunkHash.Of([.. leaves]).ToArray());
        Assert.Equal(ChunkHash.Of([.. expected]), FileHasher.HashOf(data));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9000)]
    [InlineData(1 << 20)]
    public void File_digest_does_not_depend_on_how_the_bytes_are_fed(int piece)
    {
        byte[] data = [.. Encoding.ASCII.GetBytes("head"), .. new byte[3_000_000], .. Encoding.ASCII.GetBytes("tail")];
        using var hasher = new FileHasher();
        hasher.Update(data.AsSpan(0, 4));
        hasher.UpdateZeros(3_000_000);
        for (int off = 3_000_004; off < data.Length; off += piece)
        {
            hasher.Update(data.AsSpan(off, Math.Min(piece, data.Length - off)));
        }
        Assert.Equal(FileHasher.HashOf(data), hasher.Finish());
        Assert.Equal(data.Length, hasher.Length);
        using var zerosFirst = new FileHasher();
        zerosFirst.UpdateZeros(3L * FileHasher.BlockSize);
        Assert.Equal(FileHasher.HashOf(new byte[3 * FileHasher.BlockSize]), zerosFirst.Finish());
    }

    [Fact]
    public void Equality_and_bytes_round_trip()
    {
        ChunkHash h = ChunkHash.Of([1, 2, 3]);
        Assert.Equal(h, new ChunkHash(h.ToArray()));
        Assert.NotEqual(h, ChunkHash.Empty);
        Assert.Throws<ArgumentException>(() => new ChunkHash(new byte[31]));
    }
}
