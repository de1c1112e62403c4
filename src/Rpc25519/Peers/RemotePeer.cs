namespace Rpc25519.Peers;

/// <summary>A peer running in another process, as returned by <see cref="PeerApi.StartRemotePeerAsync"/>.</summary>
/// <param name="PeerId">The remote peer's ID.</param>
/// <param name="PeerUrl">Its URL, <c>tcp://host:port/service/peerId</c>, usable with
/// <see cref="LocalPeer.OpenCircuitAsync"/>.</param>
/// <param name="ServiceName">The service it runs.</param>
public sealed record RemotePeer(string PeerId, string PeerUrl, string ServiceName);
