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
/// <item><c>rpc25519.calls.started</c>, <c>rpc25519.calls.active</c> (up-down: in flight) and
/// <c>rpc25519.calls.completed</c> ({call}; <c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>,
/// <c>rpc25519.side</c> = client | server; completed also <c>rpc25519.outcome</c>)</item>
/// <item><c>rpc25519.bytes.sent</c>, <c>rpc25519.bytes.received</c> (By; <c>rpc25519.side</c> = client | server)</item>
/// <item><c>rpc25519.frames.sent</c>, <c>rpc25519.frames.received</c> ({frame}; <c>rpc25519.compression</c>)</item>
/// <item><c>rpc25519.connections.open</c> (up-down; <c>rpc25519.side</c>)</item>
/// <item><c>rpc25519.handshakes</c> (<c>rpc25519.layer</c> = TLS | pre-shared-key, <c>rpc25519.side</c>,
/// <c>rpc25519.outcome</c> = ok | failed, and for failures <c>error.type</c> = rejected | transport | error, on a
/// server also timeout | silent | evicted | stopped, on a client also cancelled)</item>
/// <item><c>rpc25519.stream.credit_stalls</c> (times a stream sender waited for credit)</item>
/// <item><c>rpc25519.circuits.open</c> (up-down: peer circuits open in this process)</item>
/// </list>
/// Names and units follow OpenTelemetry's semantic conventions for RPC where they apply.
/// </summary>
public static class RpcDiagnostics
{
    /// <summary>The name of Rpc25519's meter.</summary>
    public const string MeterName = "Rpc25519";

    /// <summary>
    /// The name of Rpc25519's <see cref="System.Diagnostics.ActivitySource"/>: a client span per two-way call and a
    /// server span per handler; a producer span per one-way send and a consumer span per one-way handler; a client
    /// span per stream opening (tag <c>rpc25519.stream</c> = upload | download | bistream) whose stream function's
    /// server span is its child; and a span named <c>rpc25519.circuit</c> per circuit end, from open to close. They
    /// are joined by the W3C trace context that the sender puts in the message's
    /// <see cref="Messages.MessageHeader.Args"/> under <see cref="TraceParentArg"/> (only while someone listens).
    /// </summary>
    public const string ActivitySourceName = "Rpc25519";

    /// <summary>The header argument that carries the caller's W3C <c>traceparent</c>.</summary>
    public const string TraceParentArg = "traceparent";
}
