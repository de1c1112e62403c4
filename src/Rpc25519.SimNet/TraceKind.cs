namespace Rpc25519.SimNet;

/// <summary>What a trace event records. The numeric values are folded into the trace hash: never renumber
/// them.</summary>
public enum TraceKind
{
    /// <summary>A posted continuation (SynchronizationContext.Post) ran.</summary>
    Post = 1,

    /// <summary>A task queued to a node's TaskScheduler ran.</summary>
    Task = 2,

    /// <summary>A timer callback ran.</summary>
    Timer = 3,

    /// <summary>A simulator-internal action ran (network delivery, fault timer, pipe callback).</summary>
    Internal = 4,

    /// <summary>Virtual time moved forward; the detail is the new time in ticks.</summary>
    TimeAdvance = 5,

    /// <summary>Bytes were sent on a connection; the detail is the byte count.</summary>
    Send = 10,

    /// <summary>Bytes were delivered to a reader; the detail is the byte count.</summary>
    Deliver = 11,

    /// <summary>A message was dropped on the sending side; the detail is the byte count.</summary>
    Drop = 12,

    /// <summary>A message reached a deaf reader and was not heard; the detail is the byte count.</summary>
    Deaf = 13,

    /// <summary>A message was delivered a second time by a duplicate fault; the detail is the byte count.</summary>
    Duplicate = 14,

    /// <summary>A connection was opened; the detail is the connection id.</summary>
    Connect = 15,

    /// <summary>A connection was closed or reset; the detail is the connection id.</summary>
    Close = 16,

    /// <summary>A fault was applied or undone; the detail identifies the fault.</summary>
    Fault = 20,

    /// <summary>A node lost power; the detail is its incarnation number.</summary>
    PowerOff = 21,

    /// <summary>A node was powered on; the detail is its new incarnation number.</summary>
    PowerOn = 22,

    /// <summary>An application-defined event (see <see cref="Simulation.Record"/>).</summary>
    User = 30,
}
