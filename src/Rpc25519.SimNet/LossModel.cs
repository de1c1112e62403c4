namespace Rpc25519.SimNet;

/// <summary>What a lost message does to its connection.</summary>
public enum LossModel
{
    /// <summary>The message vanishes and later ones still arrive (datagram-like; good for testing message loss in
    /// protocols such as Raft). With <see cref="SimFraming.Rpc25519Frames"/> a message is one frame.</summary>
    MessageLoss = 0,

    /// <summary>TCP-like: the direction stalls at the first lost message, later data waits behind it, and unless a
    /// repair delivers the lost data first, both ends see a reset after <see
    /// cref="SimNetworkOptions.StallResetAfter"/>.
    /// </summary>
    StreamStall = 1,
}
