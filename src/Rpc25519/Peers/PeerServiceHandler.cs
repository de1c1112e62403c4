using System.Threading.Channels;

namespace Rpc25519.Peers;

/// <summary>
/// The code of a peer service, registered with <see cref="PeerApi.RegisterPeerService"/> and run once per started
/// <see cref="LocalPeer"/>, on <see cref="RpcOptions.TaskScheduler"/>. It takes circuits that remotes open to its peer
/// from <paramref name="newCircuits"/> (which completes when the peer closes). When the task it returns completes
/// (or faults), the peer closes, and with it every circuit of the peer.
/// </summary>
/// <param name="peer">The running instance this call serves.</param>
/// <param name="newCircuits">Circuits opened to this peer by remotes, in the order they were opened.</param>
/// <param name="cancellationToken">Fires when the peer closes: <see cref="LocalPeer.Close"/>, the token given at start,
/// or the host client or server stopping.</param>
public delegate Task PeerServiceHandler(LocalPeer peer, ChannelReader<Circuit> newCircuits,
    CancellationToken cancellationToken);
