namespace Rpc25519.Diagnostics;

/// <summary>
/// The names to listen to for Rpc25519's metrics: a <see cref="System.Diagnostics.Metrics.Meter"/> called
/// <see cref="MeterName"/> (for <c>dotnet-counters monitor --counters Rpc25519</c> or OpenTelemetry's
/// <c>AddMeter("Rpc25519")</c>). Instruments, with the tags they carry:
/// <list type="bullet">
/// <item><c>rpc.client.duration</c> (s; <c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>,
/// <c>rpc25519.outcome</c> = ok | remote_error | rejected | timeout | cancelled | closed | failed)</item>
/// <item><c>rpc.server.duration</c> (s; <c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>,
/// <c>rpc25519.outcome</c> = ok | error | cancelled)</item>
/// <item><c>rpc25519.bytes.sent</c>, <c>rpc25519.bytes.received</c> (By; <c>rpc25519.side</c> = client | server)</item>
/// <item><c>rpc25519.frames.received</c> (<c>rpc25519.compression</c>)</item>
/// <item><c>rpc25519.connections.open</c> (up-down; <c>rpc25519.side</c>)</item>
/// <item><c>rpc25519.handshakes</c> (<c>rpc25519.layer</c> = TLS | pre-shared-key, <c>rpc25519.outcome</c> = ok | failed)</item>
/// <item><c>rpc25519.stream.credit_stalls</c> (times a stream sender waited for credit)</item>
/// </list>
/// Names and units follow OpenTelemetry's semantic conventions for RPC where they apply.
/// </summary>
public static class RpcDiagnostics
{
    /// <summary>The name of Rpc25519's meter.</summary>
    public const string MeterName = "Rpc25519";

    /// <summary>
    /// The name of Rpc25519's <see cref="System.Diagnostics.ActivitySource"/>: a client span per two-way call and a
    /// server span per handler, joined by the W3C trace context that the caller puts in the request's
    /// <see cref="Messages.MessageHeader.Args"/> under <see cref="TraceParentArg"/> (only while someone listens).
    /// </summary>
    public const string ActivitySourceName = "Rpc25519";

    /// <summary>The header argument that carries the caller's W3C <c>traceparent</c>.</summary>
    public const string TraceParentArg = "traceparent";
}
