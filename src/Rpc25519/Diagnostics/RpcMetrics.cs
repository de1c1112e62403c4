using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rpc25519.Diagnostics;

/// <summary>Rpc25519's instruments (see <see cref="RpcDiagnostics"/>). Each recording checks
/// <see cref="Instrument.Enabled"/> first, so with nobody listening a call pays a few branches and no clock read.</summary>
internal static class RpcMetrics
{
    private static readonly Meter Meter = new(RpcDiagnostics.MeterName,
        typeof(RpcMetrics).Assembly.GetName().Version?.ToString());

    private static readonly KeyValuePair<string, object?> System = new("rpc.system", "rpc25519");

    public static readonly Histogram<double> ClientDuration = Meter.CreateHistogram<double>("rpc.client.duration", "s",
        "Duration of two-way calls, as the caller saw them.");

    public static readonly Histogram<double> ServerDuration = Meter.CreateHistogram<double>("rpc.server.duration", "s",
        "Duration of two-way handlers.");

    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("rpc25519.bytes.sent", "By",
        "Frame bytes written to connections (after compression).");

    public static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("rpc25519.bytes.received", "By",
        "Frame bytes read from connections (before decompression).");

    public static readonly Counter<long> FramesReceived = Meter.CreateCounter<long>("rpc25519.frames.received", null,
        "Frames read, by the compression they used.");

    public static readonly UpDownCounter<long> ConnectionsOpen = Meter.CreateUpDownCounter<long>(
        "rpc25519.connections.open", null, "Connections open now.");

    public static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("rpc25519.handshakes", null,
        "Server-side handshakes (TLS, pre-shared key), by outcome.");

    public static readonly Counter<long> StreamCreditStalls = Meter.CreateCounter<long>(
        "rpc25519.stream.credit_stalls", null, "Times a stream sender had to wait for credit.");

    /// <summary>A start time for a duration, or 0 when no duration instrument is listened to.</summary>
    public static long Start(Histogram<double> histogram, TimeProvider time) =>
        histogram.Enabled ? time.GetTimestamp() : 0;

    public static void RecordDuration(Histogram<double> histogram, TimeProvider time, long started, string serviceName,
        string outcome)
    {
        if (started == 0 || !histogram.Enabled)
        {
            return;
        }
        int dot = serviceName.LastIndexOf('.');
        var tags = new TagList
        {
            System,
            { "rpc.service", dot > 0 ? serviceName[..dot] : serviceName },
            { "rpc.method", dot > 0 ? serviceName[(dot + 1)..] : "" },
            { "rpc25519.outcome", outcome },
        };
        histogram.Record(time.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>The outcome tag of a call that ended with <paramref name="error"/> (null: it succeeded).</summary>
    public static string OutcomeOf(Exception? error) => error switch
    {
        null => "ok",
        RemoteException => "remote_error",
        CallRejectedException => "rejected",
        RpcTimeoutException => "timeout",
        OperationCanceledException => "cancelled",
        RpcConnectionClosedException => "closed",
        _ => "failed",
    };

    public static void Bytes(Counter<long> counter, long bytes, bool server)
    {
        if (counter.Enabled && bytes > 0)
        {
            counter.Add(bytes, new KeyValuePair<string, object?>("rpc25519.side", server ? "server" : "client"));
        }
    }

    public static void FrameReceived(byte compression)
    {
        if (FramesReceived.Enabled)
        {
            FramesReceived.Add(1, new KeyValuePair<string, object?>("rpc25519.compression",
                Compression.CompressionNames.ToName((Compression.CompressionAlgo)Math.Min(compression, (byte)7))));
        }
    }

    public static void Connection(int change, bool server)
    {
        if (ConnectionsOpen.Enabled)
        {
            ConnectionsOpen.Add(change, new KeyValuePair<string, object?>("rpc25519.side", server ? "server" : "client"));
        }
    }

    public static void Handshake(string layer, bool ok)
    {
        if (Handshakes.Enabled)
        {
            Handshakes.Add(1, new KeyValuePair<string, object?>("rpc25519.layer", layer),
                new KeyValuePair<string, object?>("rpc25519.outcome", ok ? "ok" : "failed"));
        }
    }
}
