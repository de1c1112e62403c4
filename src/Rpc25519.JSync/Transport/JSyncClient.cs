using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Safety;
using Rpc25519.JSync.Sync;
using Rpc25519.Peers;

namespace Rpc25519.JSync.Transport;

/// <summary>
/// Runs a push or a pull against a host that registered <see cref="JSyncService"/>: starts a local peer, opens a
/// circuit to a new jsync peer at the remote, and runs <see cref="SyncSession.InitiateAsync"/> over it.
/// </summary>
public static class JSyncClient
{
    /// <summary>The local peer service a client's side of a sync runs as (it accepts no circuits).</summary>
    public const string ClientServiceName = "jsync-client";

    /// <summary>Pushes (<see cref="SyncRole.Giver"/>) <paramref name="localPath"/> to, or pulls
    /// (<see cref="SyncRole.Taker"/>) it from, <paramref name="remotePath"/> under the server's root.</summary>
    /// <param name="client">A connected client.</param>
    /// <param name="localRole">Giver to push, taker to pull.</param>
    /// <param name="localPath">The local tree or file.</param>
    /// <param name="remotePath">A relative path under the server's root ("" for the root itself).</param>
    /// <param name="options">What the sync should do.</param>
    /// <param name="progress">Optional: receives the channel once the circuit is open, e.g. to poll its byte
    /// counters for a progress display.</param>
    /// <param name="cancellationToken">Stops the sync (it resumes on the next run).</param>
    /// <param name="syncProgress">Optional: files and bytes done out of the total, after every step of the transfer
    /// (see <see cref="SyncSession.InitiateAsync"/>).</param>
    /// <exception cref="PathEscapeException"><paramref name="remotePath"/> is not a plain relative path.</exception>
    /// <exception cref="JSyncException">The server does not serve jsync, refused the sync (read-only, a path outside
    /// its root), or the connection was lost (<see cref="JSyncConnectionLostException"/>).</exception>
    public static async Task<RemoteSyncResult> RunAsync(RpcClient client, SyncRole localRole, string localPath,
        string remotePath, SyncOptions options, Action<CircuitChannel>? progress = null,
        CancellationToken cancellationToken = default, IProgress<SyncProgress>? syncProgress = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        // Refuse a bad remote path before a server peer is started for it.
        SafePath.Validate(remotePath);
        client.PeerApi.RegisterPeerService(ClientServiceName, IdleAsync);
        await using LocalPeer peer = await client.PeerApi.StartLocalPeerAsync(ClientServiceName, "", cancellationToken);
        Circuit circuit;
        try
        {
            circuit = await client.PeerApi.OpenCircuitToNewPeerAsync(peer, "jsync", JSyncService.ServiceName,
                client.RemoteAddress, null, cancellationToken);
        }
        catch (PeerRejectedException ex)
        {
            throw new JSyncException(
                $"The server at {client.RemoteAddress} does not serve jsync ({ex.Message}); start it with jsrv or " +
                "register JSyncService on it.", ex);
        }
        catch (RpcConnectionClosedException ex)
        {
            throw new JSyncConnectionLostException(ex.Message, ex);
        }
        await using var channel = new CircuitChannel(circuit);
        progress?.Invoke(channel);
        SyncResult result = await SyncSession.InitiateAsync(channel, localRole, localPath, remotePath, options,
            cancellationToken, syncProgress);
        return new RemoteSyncResult(result, channel.BytesSent, channel.BytesReceived);
    }

    /// <summary>The client's peer takes no circuits of its own; it lives until the sync closes it.</summary>
    private static async Task IdleAsync(LocalPeer peer, System.Threading.Channels.ChannelReader<Circuit> circuits,
        CancellationToken cancellationToken)
    {
        while (await circuits.WaitToReadAsync(CancellationToken.None))
        {
            while (circuits.TryRead(out Circuit? unexpected))
            {
                await unexpected.CloseAsync("a jsync client accepts no circuits");
            }
        }
    }
}
