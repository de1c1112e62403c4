namespace Rpc25519.Bench.Extras;

/// <summary>The measurements after the echo table: bulk streams and compression.</summary>
internal static class ExtraBenchmarks
{
    public static async Task RunAsync(string which)
    {
        if (which is "all" or "streams")
        {
            await StreamAndCompressionBench.RunStreamsAsync();
        }
        if (which is "all" or "compression")
        {
            await StreamAndCompressionBench.RunCompressionAsync();
        }
    }
}
