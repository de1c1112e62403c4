namespace Rpc25519.Bench.Abuse;

/// <summary>
/// The server's knobs in the abuse run, and the memory bound docs/security.md states for them:
/// <c>RSS ≤ R0 + S + B + C × (2F + P + T + X) + H × h</c> — the idle server (R0, measured), an allowance for the
/// runtime's own growth (S: JIT, threads, the shared array pool), the decode budget (B), per connection two frames
/// (one arriving, one leaving), the per-connection buffered bytes (P), transport buffers (T) and a compressor's
/// working memory (X), and per handshake in progress its buffers (h). The child server runs with its GC heap capped
/// at everything but R0 (as in a container of that size), so garbage the GC has not collected yet cannot push it past
/// the bound either.
/// </summary>
internal static class AbuseMemoryBound
{
    private const long MiB = 1024 * 1024;

    /// <summary>F: the server's frame limit (the bombs decode to 8 MiB).</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>B: the server's decode budget.</summary>
    public const long DecodeBudgetBytes = 64 * MiB;

    /// <summary>P: the default per-connection bound on requests in handlers and replies not yet sent.</summary>
    public static long BufferedBytesPerConnection => new RpcOptions().MaxBufferedBytesPerConnection;

    /// <summary>T: a TLS connection's socket buffers (2 × 64 KiB), records (2 × 17 KiB) and its two pipes' read-ahead
    /// and write-behind (1 MiB each, with slack).</summary>
    private const long TransportBytes = 5 * MiB / 2;

    /// <summary>X: a zstd compressor made for one large reply (window and tables at level 11, with slack); lz4 and
    /// snappy would need 2F instead.</summary>
    private const long CompressorBytes = 8 * MiB;

    /// <summary>h: one handshake in progress (its socket buffers, record buffer and key exchange state).</summary>
    private const long HandshakeBytes = 64 * 1024;

    /// <summary>The most handshakes a listener keeps in progress.</summary>
    private const int HandshakesMax = 512;

    /// <summary>S: the runtime's growth under load (JIT code, thread stacks, the shared array pool's buckets).</summary>
    private const long RuntimeBytes = 64 * MiB;

    /// <summary>The bound above the idle server's RSS for <paramref name="connections"/> RPC connections and
    /// <paramref name="handshakes"/> sockets that may be in their handshake.</summary>
    public static long AboveIdleBytes(int connections, int handshakes) =>
        RuntimeBytes + DecodeBudgetBytes
        + connections * (2L * MaxFrameBytes + BufferedBytesPerConnection + TransportBytes + CompressorBytes)
        + Math.Min(handshakes, HandshakesMax) * HandshakeBytes;

    /// <summary>The formula with this run's numbers, for the report.</summary>
    public static string Describe(long idleBytes, int connections, int handshakes) =>
        $"R0 {idleBytes / MiB} + S {RuntimeBytes / MiB} + B {DecodeBudgetBytes / MiB} + C {connections} x (2F " +
        $"{2 * MaxFrameBytes / MiB} + P {BufferedBytesPerConnection / MiB} + T {TransportBytes / (double)MiB:F1} + X " +
        $"{CompressorBytes / MiB}) + H {Math.Min(handshakes, HandshakesMax)} x h {HandshakeBytes / 1024} KiB = " +
        $"{(idleBytes + AboveIdleBytes(connections, handshakes)) / MiB} MiB";
}
