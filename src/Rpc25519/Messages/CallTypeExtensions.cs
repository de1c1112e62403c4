namespace Rpc25519.Messages;

/// <summary>Rules about <see cref="CallType"/> values.</summary>
public static class CallTypeExtensions
{
    /// <summary>First value of the one-way range.</summary>
    public const int FirstOneWay = 100;

    /// <summary>Whether the sender of this type waits for a reply (values below 100).</summary>
    public static bool IsTwoWay(this CallType type) => (int)type < FirstOneWay;

    /// <summary>Whether this build knows the value (unknown values from the network close the connection).</summary>
    public static bool IsDefined(this CallType type) =>
        type is >= CallType.None and <= CallType.BistreamBegin
             or >= CallType.OneWay and <= CallType.PeerTrafficWithServiceFallback
             or WireCallType.StreamCredit;
}
