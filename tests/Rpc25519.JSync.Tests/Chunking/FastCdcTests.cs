using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Chunking;

public class FastCdcTests
{
    private static List<ChunkInfo> Chunk(byte[] data, ChunkerOptions? options = null)
    {
        using var chunker = new StreamChunker(new MemoryStream(data), options);
        var chunks = new List<ChunkInfo>();
        while (chunker.MoveNext())
        {
            chunks.Add(chunker.Current);
        }
        return chunks;
    }

    [Fact]
    public void Chunks_cover_the_input_and_respect_min_and_max()
    {
        byte[] data = Trees.RandomBytes(3_000_000, seed: 1);
        var options = new ChunkerOptions(2048, 8192, 65536);
        List<ChunkInfo> chunks = Chunk(data, options);
        long offset = 0;
        for (int i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(offset, chunks[i].Offset);
            Assert.InRange(chunks[i].Length, i == chunks.Count - 1 ? 1 : options.MinSize, options.MaxSize);
            Assert.Equal(ChunkHash.Of(data.AsSpan((int)offset, chunks[i].Length)), chunks[i].Hash);
            offset += chunks[i].Length;
        }
        Assert.Equal(data.Length, offset);
        double mean = (double)data.Length / chunks.Count;
        Assert.InRange(mean, 4096, 16384); // normalized chunking keeps the mean near the target
    }

    [Fact]
    public void Max_is_forced_on_input_without_cut_points()
    {
        var options = new ChunkerOptions(1024, 4096, 8192);
        byte[] data = new byte[100_000];
        Array.Fill(data, (byte)0x5A);
        List<ChunkInfo> chunks = Chunk(data, options);
        Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, options.MinSize, options.MaxSize));
    }

    [Fact]
    public void Chunking_is_deterministic_and_independent_of_read_sizes()
    {
        byte[] data = Trees.RandomBytes(2_000_000, seed: 2);
        List<ChunkInfo> whole = Chunk(data);
        List<ChunkInfo> again = Chunk(data);
        using var trickled = new StreamChunker(new TrickleStream(data, seed: 3));
        var pieces = new List<ChunkInfo>();
        while (trickled.MoveNext())
        {
            pieces.Add(trickled.Current);
        }
        Assert.Equal(whole, again);
        Assert.Equal(whole, pieces);
        Assert.Equal(FileHasher.HashOf(data), trickled.FileHash);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_000)]
    [InlineData(1_999_000)]
    public void An_insertion_changes_only_the_chunks_around_it(int at)
    {
        byte[] a = Trees.RandomBytes(2_000_000, seed: 4);
        byte[] inserted = Trees.RandomBytes(100, seed: 5);
        byte[] b = [.. a.AsSpan(0, at), .. inserted, .. a.AsSpan(at)];
        var hashesA = Chunk(a).Select(c => c.Hash).ToHashSet();
        List<ChunkInfo> chunksB = Chunk(b);
        int fresh = chunksB.Count(c => !hashesA.Contains(c.Hash));
        Assert.InRange(fresh, 1, 2);
        long freshBytes = chunksB.Where(c => !hashesA.Contains(c.Hash)).Sum(c => (long)c.Length);
        Assert.True(freshBytes < 2 * ChunkerOptions.Default.MaxSize, $"{freshBytes} new bytes for a 100-byte insert");
    }

    [Fact]
    public void Zero_runs_are_flagged_and_not_hashed()
    {
        byte[] data = [.. Trees.RandomBytes(50_000, 6), .. new byte[500_000], .. Trees.RandomBytes(50_000, 7)];
        List<ChunkInfo> chunks = Chunk(data);
        Assert.Contains(chunks, c => c.IsZero);
        Assert.All(chunks.Where(c => c.IsZero), c => Assert.Equal(default, c.Hash));
        long zeroBytes = chunks.Where(c => c.IsZero).Sum(c => (long)c.Length);
        Assert.InRange(zeroBytes, 500_000 - (2 * ChunkerOptions.Default.MaxSize), 500_000);
    }

    [Fact]
    public void Empty_input_gives_no_chunks_and_the_empty_hash()
    {
        using var chunker = new StreamChunker(new MemoryStream());
        Assert.False(chunker.MoveNext());
        Assert.Equal(FileHasher.HashOf([]), chunker.FileHash);
        Assert.Equal(0, chunker.Length);
    }

    [Fact]
    public void Options_are_validated_and_parsed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkerOptions(8192, 4096, 65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkerOptions(32, 4096, 65536));
        Assert.Equal(new ChunkerOptions(4096, 16384, 65536), ChunkerOptions.Parse("4K/16K/64K"));
        Assert.Throws<FormatException>(() => ChunkerOptions.Parse("4K/16K"));
    }

    [Fact]
    public async Task A_pipe_is_chunked_like_a_stream()
    {
        byte[] data = Trees.RandomBytes(700_000, seed: 9);
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0));
        await pipe.Writer.WriteAsync(data);
        await pipe.Writer.CompleteAsync();
        using var chunker = new StreamChunker(pipe.Reader);
        var chunks = new List<ChunkInfo>();
        while (await chunker.MoveNextAsync())
        {
            chunks.Add(chunker.Current);
        }
        Assert.Equal(Chunk(data), chunks);
    }

    [Fact]
    public void Fixed_blocks_are_max_sized_unhashed_and_give_the_same_file_digest()
    {
        byte[] data = [.. Trees.RandomBytes(200_000, 10), .. new byte[300_000], .. Trees.RandomBytes(10, 11)];
        using var blocks = new StreamChunker(new MemoryStream(data), fixedBlocks: true);
        var chunks = new List<ChunkInfo>();
        while (blocks.MoveNext())
        {
            chunks.Add(blocks.Current);
        }
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(ChunkerOptions.Default.MaxSize, c.Length));
        Assert.All(chunks, c => Assert.Equal(default, c.Hash));
        Assert.Contains(chunks, c => c.IsZero);
        Assert.Equal(FileHasher.HashOf(data), blocks.FileHash);
    }

    [Theory]
    [InlineData(false)] // whole 1 MiB reads: the digest hashes each block where it was read
    [InlineData(true)]  // short reads: blocks straddle reads and go through the digest's own buffer
    public void Fixed_blocks_of_a_file_of_several_mebibytes_give_the_file_digest(bool trickle)
    {
        byte[] data = [.. Trees.RandomBytes(3 * FileHasher.BlockSize + 12_345, 12), .. new byte[FileHasher.BlockSize], .. Trees.RandomBytes(999, 13)];
        Stream stream = trickle ? new TrickleStream(data, seed: 14) : new MemoryStream(data);
        using var blocks = new StreamChunker(stream, fixedBlocks: true);
        long total = 0;
        while (blocks.MoveNext())
        {
            Assert.Equal(data.AsSpan((int)blocks.Current.Offset, blocks.Current.Length).ToArray(), blocks.CurrentData.ToArray());
            total += blocks.Current.Length;
        }
        Assert.Equal(data.Length, total);
        Assert.Equal(FileHasher.HashOf(data), blocks.FileHash);
    }

    [Theory]
    [InlineData(0, 256)]
    [InlineData(1_000, 256)]
    [InlineData(32 * 1024, 512)]
    [InlineData(5L << 20, 8 * 1024)]
    [InlineData(150L << 20, 32 * 1024)]
    [InlineData(1L << 40, 32 * 1024)]
    public void Adaptive_sizes_grow_with_the_square_root_of_the_file_size_within_bounds(long fileSize, int average)
    {
        ChunkerOptions options = ChunkerOptions.ForFileSize(fileSize);
        Assert.Equal(average, options.AverageSize);
        Assert.Equal(average / 4, options.MinSize);
        Assert.Equal(average * 8, options.MaxSize);
        Assert.Same(options, ChunkerOptions.ForFileSize(fileSize)); // cached: no allocation per file
    }

    [Fact]
    public void Adaptive_sizes_never_shrink_as_files_grow()
    {
        int previous = 0;
        for (long size = 1; size < 1L << 40; size = (size * 5 / 4) + 1)
        {
            int average = ChunkerOptions.ForFileSize(size).AverageSize;
            Assert.True(average >= previous, $"{size} bytes: average {average} after {previous}");
            previous = average;
        }
    }
}
