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
    public void Incremental_file_hash_equals_one_shot_hash_including_zero_runs()
    {
        byte[] data = [.. Encoding.ASCII.GetBytes("head"), .. new byte[200_000], .. Encoding.ASCII.GetBytes("tail")];
        using var hasher = new FileHasher();
        hasher.Update(data.AsSpan(0, 4));
        hasher.UpdateZeros(200_000);
        hasher.Update(data.AsSpan(200_004));
        Assert.Equal(ChunkHash.Of(data), hasher.Finish());
        Assert.Equal(data.Length, hasher.Length);
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
