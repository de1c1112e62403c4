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

    private static long s_openServerConnections;
    private static long s_openClientConnections;

    /// <summary>Connections open now in this process, by side; read when a listener collects, so it is right however
    /// late the listener came.</summary>
    public static readonly ObservableUpDownCounter<long> ConnectionsOpen = Meter.CreateObservableUpDownCounter(
        "rpc25519.connections.open", static () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref s_openServerConnections),
                new KeyValuePair<string, object?>("rpc25519.side", "server")),
            new Measurement<long>(Interlocked.Read(ref s_openClientConnections),
                new KeyValuePair<string, object?>("rpc25519.side", "client")),
        }, null, "Connections open now in this process.");

    public static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("rpc25519.handshakes", null,
        "Server-side handshakes (TLS, pre-shared key), by outcome.");

    public static readonly Counter<long> StreamCreditStalls = Meter.CreateCounter<long>(
        "rpc25519.stream.credit_stalls", null, "Times a stream sender had to wait for credit.");

    private static long s_openCircuits;

    /// <summary>Circuits open now in this process; read when a listener collects, so it is right however late the
    /// listener came (an up-down counter that only counts while someone listens would not be).</summary>
    public static readonly ObservableUpDownCounter<long> CircuitsOpen = Meter.CreateObservableUpDownCounter(
        "rpc25519.circuits.open", static () => Interlocked.Read(ref s_openCircuits), null,
        "Peer circuits open now in this process.");

    public static void Circuit(int change) => Interlocked.Add(ref s_openCircuits, change);

    /// <summary>Whether a client call needs its observed path (a duration listener or a trace listener); without one a
    /// call takes a path whose state machine carries no timing or span, so observability costs nothing per call.</summary>
    public static bool ObserveClientCalls => ClientDuration.Enabled || RpcTracing.IsListening;

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

    /// <summary>The compression tag of a frame by its header byte: the sendable names, "uncompressed" for a frame its
    /// sender chose not to compress, and "unknown" beyond (a decoder rejects those before they are counted).</summary>
    private static readonly string[] CompressionTags =
        [.. Compression.CompressionNames.All, "uncompressed", "unknown"];

    public static void FrameReceived(byte compression)
    {
        if (FramesReceived.Enabled)
        {
            FramesReceived.Add(1, new KeyValuePair<string, object?>("rpc25519.compression",
                CompressionTags[Math.Min(compression, (byte)(CompressionTags.Length - 1))]));
        }
    }

    public static void Connection(int change, bool server)
    {
        if (server)
        {
            Interlocked.Add(ref s_openServerConnections, change);
        }
        else
        {
            Interlocked.Add(ref s_openClientConnections, change);
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
