namespace Rpc25519.Compression;

/// <summary>
/// How a frame body is compressed. The value is the frame header's compression byte, so the numbers are part of the
/// wire format. The sender picks (see <see cref="RpcOptions.Compression"/>); the receiver decodes whatever arrives.
/// </summary>
public enum CompressionAlgo : byte
{
    /// <summary>No compression (config name <c>none</c>).</summary>
    None = 0,

    /// <summary>Snappy block format via Snappier (config name <c>snappy</c>; <c>s2</c> is accepted as an alias).</summary>
    Snappy = 1,

    /// <summary>LZ4 block format, fast level, via K4os.Compression.LZ4 (config name <c>lz4</c>).</summary>
    Lz4 = 2,

    /// <summary>Zstandard level 1 via ZstdSharp (config name <c>zstd:01</c>).</summary>
    Zstd01 = 3,

    /// <summary>Zstandard level 3 (config name <c>zstd:03</c>).</summary>
    Zstd03 = 4,

    /// <summary>Zstandard level 7 (config name <c>zstd:07</c>).</summary>
    Zstd07 = 5,

    /// <summary>Zstandard level 11 (config name <c>zstd:11</c>): small output, slow.</summary>
    Zstd11 = 6,

    /// <summary>
    /// Only on the wire: this frame is uncompressed although the sender may compress others (a message with
    /// <see cref="Messages.MessageHeader.SkipCompression"/>, or one too small or too random to gain). A receiving server does
    /// not change its reply compression because of it. Not valid as a config setting.
    /// </summary>
    NoSystemCompression = 7,
}
