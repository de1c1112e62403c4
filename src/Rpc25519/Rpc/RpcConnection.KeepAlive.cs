using Rpc25519.Messages;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>A snapshot of the connection's liveness counters.</summary>
    public PingStats GetPingStats() => _liveness.GetPingStats();

    private LivenessMonitor NewLivenessMonitor(TimeSpan keepAliveInterval) => new(_endpoint.TimeProvider,
        keepAliveInterval, _endpoint.Config.DeadConnectionTimeout, SendKeepAlive, DeclareDead);

    private void SendKeepAlive()
    {
        if (CloseReason is not null)
        {
            return;
        }
        var ping = new Message(new MessageHeader { CallType = WireCallType.KeepAlive });
        _endpoint.StampOutgoing(ping);
        // A full queue means traffic is flowing, which keeps the peer informed anyway.
        TrySendBestEffort(ping);
    }

    private void DeclareDead(TimeSpan silent)
    {
        TimeSpan deadAfter = _endpoint.Config.DeadConnectionTimeout;
        Close(new RpcConnectionClosedException(
            $"Nothing received from {RemoteAddress} for {silent.TotalSeconds:0.###} s " +
            $"(RpcOptions.DeadConnectionTimeout is {deadAfter.TotalSeconds:0.###} s); the peer is presumed dead."),
            graceful: false);
    }
}
