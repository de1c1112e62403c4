namespace Rpc25519.SimNet;

/// <summary>How the bytes of one flush are cut into network messages (the unit of latency, loss and duplication).
/// </summary>
public enum SimFraming
{
    /// <summary>One message per Rpc25519 frame (12-byte header with the body length in bytes 8..11, big-endian);
    /// partial frames wait for the rest. Bytes that do not look like a frame header are sent as they are flushed.
    /// </summary>
    Rpc25519Frames = 0,

    /// <summary>One message per flush, whatever it contains.</summary>
    Flush = 1,
}
