namespace Rpc25519.JSync.Hashing;

/// <summary>A shared read-only block of zero bytes, for hashing and comparing runs of zeros.</summary>
internal static class ZeroBlock
{
    private static readonly byte[] Block = new byte[64 * 1024];

    /// <summary>64 KiB of zeros.</summary>
    public static ReadOnlySpan<byte> Span => Block;
}
