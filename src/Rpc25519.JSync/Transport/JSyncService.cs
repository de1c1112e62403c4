using System.Threading.Channels;
using Rpc25519.JSync.Sync;
using Rpc25519.Peers;

namespace Rpc25519.JSync.Transport;

/// <summary>
/// The jsync peer service (<see cref="ServiceName"/>): a host registers it on its <see cref="PeerApi"/> to serve one
/// root. Each client sync starts a new peer of the service and opens one circuit to it; the peer answers that one sync
/// with <see cref="SyncSession.RespondAsync"/> (every path confined to the root) and then closes.
/// </summary>
public static class JSyncService
{
    /// <summary>The peer service name jsync clients open circuits to.</summary>
    public const string ServiceName = "jsync";

    /// <summary>Registers (or replaces) the jsync service on <paramref name="peers"/>.</summary>
    /// <param name="peers">The server's (or client's) peer API.</param>
    /// <param name="root">The one directory served; it must exist.</param>
    /// <param name="readOnly">Refuse pushes: clients may only pull from this root.</param>
    /// <param name="onSyncEnded">Called after each sync with its result, or with the error that stopped it (the
    /// client was told). Runs on the peer's task; keep it short.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> is not a directory.</exception>
    public static void Register(PeerApi peers, string root, bool readOnly = false,
        Action<SyncResult?, Exception?>? onSyncEnded = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentException.ThrowIfNullOrEmpty(root);
        string fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            throw new DirectoryNotFoundException(
                $"The jsync root '{fullRoot}' is not a directory; create it or name an existing one.");
        }
        peers.RegisterPeerService(ServiceName, (peer, circuits, ct) =>
            ServeOneAsync(circuits, fullRoot, readOnly, onSyncEnded, ct));
    }

    private static async Task ServeOneAsync(ChannelReader<Circuit> circuits, string root, bool readOnly,
        Action<SyncResult?, Exception?>? onSyncEnded, CancellationToken cancellationToken)
    {
        Circuit circuit;
        try
        {
            circuit = await circuits.ReadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            return;
        }
        await using var channel = new CircuitChannel(circuit);
        try
        {
            SyncResult result = await SyncSession.RespondAsync(channel, root, readOnly, cancellationToken);
            onSyncEnded?.Invoke(result, null);
        }
        catch (Exception ex) when (ex is JSyncException or IOException or UnauthorizedAccessException
                                       or OperationCanceledException)
        {
            // The engine already told the other side (or the circuit is gone); the host only hears about it.
            onSyncEnded?.Invoke(null, ex);
        }
    }
}
