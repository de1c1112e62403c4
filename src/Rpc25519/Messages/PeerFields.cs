namespace Rpc25519.Messages;

/// <summary>The header fields only the peer API uses; held apart so that ordinary calls do not pay for them.</summary>
internal sealed class PeerFields
{
    public string ToPeerServiceVersion { get; set; } = "";

    public string FromPeerServiceVersion { get; set; } = "";

    public string ToPeerId { get; set; } = "";

    public string ToPeerName { get; set; } = "";

    public string FromPeerId { get; set; } = "";

    public string FromPeerName { get; set; } = "";

    public int Operation { get; set; }

    public PeerFields Clone() => (PeerFields)MemberwiseClone();
}
