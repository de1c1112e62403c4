using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Chunking;

public class StreamingMemoryTests
{
    [Fact]
    public void A_256_MiB_stream_is_chunked_and_hashed_with_bounded_allocation()
    {
        const long length = 256L * 1024 * 1024;
        using var chunker = new StreamChunker(new SeededStream(length, seed: 42));
        chunker.MoveNext(); // the first move rents the buffer
        long before = GC.GetAllocatedBytesForCurrentThread();
        long count = 1;
        while (chunker.MoveNext())
        {
            count++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(length, chunker.Length);
        Assert.InRange(count, length / (4 * ChunkerOptions.Default.AverageSize), length / ChunkerOptions.Default.MinSize);
        Assert.True(allocated < 1024 * 1024, $"{allocated} bytes allocated while streaming {length} bytes");
    }
}
