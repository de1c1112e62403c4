using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Transport;

/// <summary>What a sync with a jsync server did, with the bytes that crossed the circuit.</summary>
/// <param name="Result">The sync's result (the same on both sides).</param>
/// <param name="BytesSent">Encoded message bytes this side sent.</param>
/// <param name="BytesReceived">Encoded message bytes this side received.</param>
public sealed record RemoteSyncResult(SyncResult Result, long BytesSent, long BytesReceived)
{
    /// <summary>Message bytes in both directions (frame and TLS overhead not counted).</summary>
    public long WireBytes => BytesSent + BytesReceived;

    /// <summary>Tree bytes ÷ wire bytes, as rsync reports it (0 when nothing crossed).</summary>
    public double SpeedUp => WireBytes == 0 ? 0 : (double)Result.TreeBytes / WireBytes;
}
