namespace Rpc25519.Messages;

/// <summary>The integer keys of the wire format. Never renumber; only add. Documented in docs/wire-format.md.</summary>
internal static class WireKeys
{
    public const int MessageHeader = 0;
    public const int MessagePayload = 1;
    public const int MessageError = 2;

    public const int Created = 0;
    // 1 (From) and 2 (To) are reserved: the receiving connection supplies them.
    public const int ServiceName = 3;
    public const int ToPeerServiceVersion = 4;
    public const int FromServiceName = 5;
    public const int FromPeerServiceVersion = 6;
    public const int Args = 7;
    public const int Subject = 8;
    public const int SequenceNumber = 9;
    public const int CallType = 10;
    public const int CallId = 11;
    public const int Serial = 12;
    // 13 (LocalReceiveTime) is reserved: it is local only.
    public const int Deadline = 14;
    public const int StreamPart = 15;
    public const int SkipCompression = 16;
    public const int ToPeerId = 17;
    public const int ToPeerName = 18;
    public const int FromPeerId = 19;
    public const int FromPeerName = 20;
    public const int Operation = 21;
}
