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

    public static readonly Counter<long> FramesReceived = Meter.CreateCounter<long>("rpc25519.frames.received",
        "{frame}", "Frames read, by the compression they used.");

    public static readonly Counter<long> FramesSent = Meter.CreateCounter<long>("rpc25519.frames.sent", "{frame}",
        "Frames written, by the compression they used.");

    public static readonly UpDownCounter<long> CallsActive = Meter.CreateUpDownCounter<long>("rpc25519.calls.active",
        "{call}", "Two-way calls in flight (client: waiting for the reply; server: handler running).");

    public static readonly Counter<long> CallsStarted = Meter.CreateCounter<long>("rpc25519.calls.started", "{call}",
        "Two-way calls started.");

    public static readonly Counter<long> CallsCompleted = Meter.CreateCounter<long>("rpc25519.calls.completed",
        "{call}", "Two-way calls finished, by outcome (an outcome other than ok is a failed call).");

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
        }, "{connection}", "Connections open now in this process.");

    public static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("rpc25519.handshakes",
        "{handshake}", "Handshakes (TLS, pre-shared key), by side, outcome and, for failures, error.type.");

    /// <summary>The <c>error.type</c> of a handshake that failed with <paramref name="error"/>: "rejected"
    /// (authentication or protocol refused), "transport" (the connection broke), "cancelled" (the caller gave up or
    /// its time ran out) or "error".</summary>
    public static string HandshakeErrorType(Exception error) => error switch
    {
        AuthenticationRejectedException or Security.CertificateRejectedException => "rejected",
        RpcTransportException or IOException or global::System.Net.Sockets.SocketException => "transport",
        OperationCanceledException => "cancelled",
        _ => "error",
    };

    /// <summary>Runs a client's handshake and counts it (<see cref="Handshakes"/>, side client).</summary>
    public static async ValueTask<Transport.IConnection> ClientHandshakeAsync(string layer,
        ValueTask<Transport.IConnection> handshake)
    {
        try
        {
            Transport.IConnection connection = await handshake;
            Handshake(layer, errorType: null, server: false);
            return connection;
        }
        catch (Exception e)
        {
            Handshake(layer, HandshakeErrorType(e), server: false);
            throw;
        }
    }

    public static readonly Counter<long> StreamCreditStalls = Meter.CreateCounter<long>(
        "rpc25519.stream.credit_stalls", "{stall}", "Times a stream sender had to wait for credit.");

    private static long s_openCircuits;

    /// <summary>Circuits open now in this process; read when a listener collects, so it is right however late the
    /// listener came (an up-down counter that only counts while someone listens would not be).</summary>
    public static readonly ObservableUpDownCounter<long> CircuitsOpen = Meter.CreateObservableUpDownCounter(
        "rpc25519.circuits.open", static () => Interlocked.Read(ref s_openCircuits), "{circuit}",
        "Peer circuits open now in this process.");

    public static void Circuit(int change) => Interlocked.Add(ref s_openCircuits, change);

    /// <summary>Whether a client call needs its observed path (a call instrument or a trace listener); without one a
    /// call takes a path whose state machine carries no timing or span, so observability costs nothing per call.</summary>
    public static bool ObserveClientCalls => ClientDuration.Enabled || CallsActive.Enabled || CallsStarted.Enabled
        || CallsCompleted.Enabled || RpcTracing.IsListening;

    /// <summary>Counts a two-way call as started (and in flight) and starts its clock, each only while someone
    /// listens; hand the result to <see cref="EndCall"/>.</summary>
    public static CallMeasurement StartCall(bool server, string serviceName, TimeProvider time)
    {
        bool active = CallsActive.Enabled;
        if (active || CallsStarted.Enabled)
        {
            TagList tags = CallTags(serviceName, server);
            if (active)
            {
                CallsActive.Add(1, tags);
            }
            CallsStarted.Add(1, tags);
        }
        Histogram<double> duration = server ? ServerDuration : ClientDuration;
        return new CallMeasurement(duration.Enabled ? time.GetTimestamp() : 0, active, server);
    }

    /// <summary>Ends what <see cref="StartCall"/> began: the in-flight count comes down only if it went up (a listener
    /// that arrives mid-call never sees a lone -1), then the completion and duration are recorded with the outcome.</summary>
    public static void EndCall(CallMeasurement call, TimeProvider time, string serviceName, string outcome)
    {
        Histogram<double> duration = call.Server ? ServerDuration : ClientDuration;
        bool timed = call.Started != 0 && duration.Enabled;
        if (!call.Active && !timed && !CallsCompleted.Enabled)
        {
            return;
        }
        TagList tags = CallTags(serviceName, call.Server);
        if (call.Active)
        {
            CallsActive.Add(-1, tags);
        }
        tags.Add("rpc25519.outcome", outcome);
        CallsCompleted.Add(1, tags);
        if (timed)
        {
            // The duration histograms are already one per side, so they carry no side tag.
            TagList durationTags = ServiceTags(serviceName);
            durationTags.Add("rpc25519.outcome", outcome);
            duration.Record(time.GetElapsedTime(call.Started).TotalSeconds, durationTags);
        }
    }

    private static TagList ServiceTags(string serviceName)
    {
        int dot = serviceName.LastIndexOf('.');
        return new TagList
        {
            System,
            { "rpc.service", dot > 0 ? serviceName[..dot] : serviceName },
            { "rpc.method", dot > 0 ? serviceName[(dot + 1)..] : "" },
        };
    }

    private static TagList CallTags(string serviceName, bool server)
    {
        TagList tags = ServiceTags(serviceName);
        tags.Add("rpc25519.side", server ? "server" : "client");
        return tags;
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

    /// <summary>Counts a frame on <paramref name="counter"/> (<see cref="FramesSent"/> or <see cref="FramesReceived"/>)
    /// by the compression byte of its header.</summary>
    public static void Frame(Counter<long> counter, byte compression)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("rpc25519.compression",
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

    /// <summary>Counts a handshake; <paramref name="errorType"/> is null for one that succeeded, else its reason (one
    /// of a few fixed words, see <see cref="RpcDiagnostics"/>), tagged as OpenTelemetry's <c>error.type</c>.</summary>
    public static void Handshake(string layer, string? errorType, bool server)
    {
        if (!Handshakes.Enabled)
        {
            return;
        }
        var tags = new TagList
        {
            { "rpc25519.layer", layer },
            { "rpc25519.side", server ? "server" : "client" },
            { "rpc25519.outcome", errorType is null ? "ok" : "failed" },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }
        Handshakes.Add(1, tags);
    }
}
