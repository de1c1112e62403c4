namespace Rpc25519;

/// <summary>The kinds of wire-protocol violation that close a connection.</summary>
public enum ProtocolViolation
{
    /// <summary>The frame did not start with the Rpc25519 magic bytes (e.g. TLS talking to plain TCP, or garbage).</summary>
    BadMagic = 1,

    /// <summary>The frame's format version is not one this build understands.</summary>
    UnsupportedVersion = 2,

    /// <summary>The frame's declared body length is larger than <see cref="RpcOptions.MaxFrameBytes"/>.</summary>
    FrameTooLarge = 3,

    /// <summary>The frame body is not a valid encoded message.</summary>
    UndecodableBody = 4,

    /// <summary>The connection ended in the middle of a frame.</summary>
    TruncatedFrame = 5,

    /// <summary>The frame names a compression algorithm this build does not know, or it failed to decompress.</summary>
    BadCompression = 6,

    /// <summary>The frame header's reserved bits are not zero.</summary>
    ReservedBitsSet = 7,

    /// <summary>A stream part arrived out of order, of the wrong kind, or beyond the credit the receiver granted.</summary>
    StreamProtocol = 8,

    /// <summary>The frame would need more memory to decode than the server's whole <see cref="RpcOptions.DecodeBudget"/>
    /// (see <see cref="MemoryBudget"/>): raise the budget, or send large data as a stream.</summary>
    FrameOverBudget = 9,
}
